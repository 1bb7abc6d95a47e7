import "server-only";
// Single sign-on: one OpenID Connect provider beside passwords (better-auth's generic OAuth
// plugin), configured by the environment, with a mapping from the IdP's group claim to a Haven
// role. A user whose groups give no role is refused (no user row is created; an existing user
// gets no session) and lands on /sso/refused, which says why.
//
//   HAVEN_OIDC_ISSUER          https://idp.example.com/realms/ops   (discovery at <issuer>/.well-known/openid-configuration)
//   HAVEN_OIDC_DISCOVERY_URL   optional: the discovery document's URL when it is not under the issuer
//   HAVEN_OIDC_CLIENT_ID       haven
//   HAVEN_OIDC_CLIENT_SECRET   the client's secret (confidential client, client_secret_basic/post)
//   HAVEN_BASE_URL             https://haven.example.com  — the redirect URI is <base>/sso/callback/oidc
//   HAVEN_OIDC_SCOPES          default "openid email profile"; add what your IdP needs for the group claim
//   HAVEN_OIDC_GROUPS_CLAIM    default "groups" (a list of strings, or one string; a dotted path reads a nested claim)
//   HAVEN_OIDC_ADMIN_GROUPS    comma-separated group names that make an admin
//   HAVEN_OIDC_OPERATOR_GROUPS comma-separated group names that make an operator
//   HAVEN_OIDC_VIEWER_GROUPS   comma-separated group names that make a viewer
//   HAVEN_OIDC_NAME            the sign-in button's label, default "Single sign-on"
//   HAVEN_OIDC_TOKEN_AUTH      how the client secret goes to the token endpoint: basic (default,
//                              client_secret_basic) or post (client_secret_post)
//
// The role is taken from the groups at every SSO sign-in (the highest that matches): moving a
// user between groups at the IdP changes their Haven role at their next sign-in.
import type { Role } from "@/lib/schemas/auth";

export const SSO_PROVIDER_ID = "oidc";
/** Where the IdP sends the browser back (register this redirect URI at the IdP). */
export const SSO_CALLBACK_PATH = `/sso/callback/${SSO_PROVIDER_ID}`;
/** Where a refused or failed SSO sign-in lands (error and error_description in the query). */
export const SSO_REFUSED_PATH = "/sso/refused";
/** The refusal code of a user whose groups give no role. */
export const NO_ROLE_ERROR = "no_haven_role";

export interface SsoConfig {
  providerId: string;
  name: string;
  discoveryUrl: string;
  clientId: string;
  clientSecret: string;
  tokenAuth: "basic" | "post";
  redirectURI: string;
  scopes: string[];
  groupsClaim: string;
  groups: Record<Role, string[]>;
}

const list = (v: string | undefined): string[] =>
  (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The SSO settings from the environment, or null when SSO is off (no HAVEN_OIDC_ISSUER /
 * HAVEN_OIDC_DISCOVERY_URL). Throws with the missing variable's name when it is half configured.
 */
export function ssoConfig(env: Record<string, string | undefined> = process.env): SsoConfig | null {
  const issuer = env.HAVEN_OIDC_ISSUER?.trim();
  const discovery = env.HAVEN_OIDC_DISCOVERY_URL?.trim();
  if (!issuer && !discovery) return null;
  const need = (name: string): string => {
    const v = env[name]?.trim();
    if (!v) throw new Error(`Single sign-on is configured (HAVEN_OIDC_ISSUER) but ${name} is not set`);
    return v;
  };
  const clientId = need("HAVEN_OIDC_CLIENT_ID");
  const clientSecret = need("HAVEN_OIDC_CLIENT_SECRET");
  const base = need("HAVEN_BASE_URL").replace(/\/+$/, "");
  const tokenAuth = (env.HAVEN_OIDC_TOKEN_AUTH?.trim() || "basic").toLowerCase();
  if (tokenAuth !== "basic" && tokenAuth !== "post") throw new Error(`HAVEN_OIDC_TOKEN_AUTH must be basic or post, not ${tokenAuth}`);
  const groups: Record<Role, string[]> = {
    admin: list(env.HAVEN_OIDC_ADMIN_GROUPS),
    operator: list(env.HAVEN_OIDC_OPERATOR_GROUPS),
    viewer: list(env.HAVEN_OIDC_VIEWER_GROUPS),
  };
  if (!groups.admin.length && !groups.operator.length && !groups.viewer.length) {
    throw new Error("Single sign-on is configured but no group gives a role: set HAVEN_OIDC_ADMIN_GROUPS, HAVEN_OIDC_OPERATOR_GROUPS and/or HAVEN_OIDC_VIEWER_GROUPS");
  }
  return {
    providerId: SSO_PROVIDER_ID,
    name: env.HAVEN_OIDC_NAME?.trim() || "Single sign-on",
    discoveryUrl: discovery || `${issuer!.replace(/\/+$/, "")}/.well-known/openid-configuration`,
    clientId,
    clientSecret,
    tokenAuth: tokenAuth as "basic" | "post",
    redirectURI: `${base}${SSO_CALLBACK_PATH}`,
    scopes: list((env.HAVEN_OIDC_SCOPES ?? "openid email profile").replace(/\s+/g, ",")),
    groupsClaim: env.HAVEN_OIDC_GROUPS_CLAIM?.trim() || "groups",
    groups,
  };
}

/** The groups a profile (ID-token claims / userinfo) carries under `claim` (a dotted path reads nested objects). */
export function groupsOf(profile: Record<string, unknown> | undefined, claim: string): string[] {
  let v: unknown = profile;
  for (const part of claim.split(".")) {
    if (v && typeof v === "object" && Object.hasOwn(v as object, part)) v = (v as Record<string, unknown>)[part];
    else return [];
  }
  if (typeof v === "string") return v.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(v)) return v.filter((g): g is string => typeof g === "string");
  return [];
}

/** The highest role any of the groups gives (admin > operator > viewer), or null when none does. */
export function roleForGroups(groups: readonly string[], mapping: Record<Role, string[]>): Role | null {
  const has = new Set(groups);
  for (const role of ["admin", "operator", "viewer"] as const) if (mapping[role].some((g) => has.has(g))) return role;
  return null;
}

/** The refusal text for a user whose groups give no role. */
export function noRoleMessage(cfg: Pick<SsoConfig, "groupsClaim" | "groups">, groups: readonly string[]): string {
  const all = [...cfg.groups.admin, ...cfg.groups.operator, ...cfg.groups.viewer];
  return `Your identity provider lists you in ${groups.length ? `the groups ${groups.join(", ")}` : `no group (claim "${cfg.groupsClaim}")`}; Haven gives a role only to members of ${all.join(", ")}.`;
}
