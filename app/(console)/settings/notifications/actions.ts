"use server";
// Notification channels (issue 14): create, edit, delete, test, rotate a webhook's secret, retry a
// failed delivery. Admins only — checked in lib/server/notify/channels.ts, not only by the page.
import type { ActionResult } from "@/lib/schemas/action-result";
import { runServiceAction } from "@/lib/server/auth/action";
import {
  createChannel,
  deleteChannel,
  retryDelivery,
  rotateWebhookSecret,
  testChannel,
  updateChannel,
  type SavedChannel,
  type TestResult,
} from "@/lib/server/notify/channels";

type Input = FormData | Record<string, unknown>;

export async function saveChannelAction(_prev: ActionResult<unknown> | null, input: Input): Promise<ActionResult<SavedChannel>> {
  return runServiceAction(input, (raw, ctx) => (raw.id ? updateChannel(raw, ctx) : createChannel(raw, ctx)));
}

export async function deleteChannelAction(_prev: ActionResult<unknown> | null, input: Input): Promise<ActionResult<{ id: string }>> {
  return runServiceAction(input, (raw, ctx) => deleteChannel(raw, ctx));
}

export async function testChannelAction(_prev: ActionResult<unknown> | null, input: Input): Promise<ActionResult<TestResult>> {
  return runServiceAction(input, (raw, ctx) => testChannel(raw, ctx));
}

export async function rotateSecretAction(_prev: ActionResult<unknown> | null, input: Input): Promise<ActionResult<SavedChannel>> {
  return runServiceAction(input, (raw, ctx) => rotateWebhookSecret(raw, ctx));
}

export async function retryDeliveryAction(_prev: ActionResult<unknown> | null, input: Input): Promise<ActionResult<{ id: string }>> {
  return runServiceAction(input, (raw, ctx) => retryDelivery(raw, ctx));
}
