// GET /sso/callback/{providerId} — where the OpenID Connect provider sends the browser back
// (register <HAVEN_BASE_URL>/sso/callback/oidc at the IdP). Public: the state cookie and the
// code decide (lib/server/auth/sign-in.ts, forwardSsoCallback).
import { forwardSsoCallback } from "@/lib/server/auth/sign-in";

export const dynamic = "force-dynamic";

export async function GET(req: Request, ctx: { params: Promise<{ providerId: string }> }) {
  const { providerId } = await ctx.params;
  try {
    return await forwardSsoCallback(req, providerId);
  } catch (e) {
    console.error("sso callback failed", e);
    return new Response(null, { status: 303, headers: { location: "/sso/refused?error=sso_failed" } });
  }
}
