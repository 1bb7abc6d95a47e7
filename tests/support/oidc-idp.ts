// A real OpenID Connect provider for the single sign-on tests (vitest and Playwright):
// `oidc-provider` on 127.0.0.1, with one confidential client for the console and three users —
// alice (group haven-admins), olga (haven-ops), eve (contractors: no Haven role). Its development
// login form takes any password; the login name picks the account.
import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

import { IDP_CLIENT_ID, IDP_CLIENT_SECRET } from "../../e2e/fixtures/sso";

export { IDP_CLIENT_ID, IDP_CLIENT_SECRET, ssoEnv } from "../../e2e/fixtures/sso";

export const IDP_USERS: Record<string, { email: string; name: string; groups: string[] }> = {
  alice: { email: "alice@idp.test", name: "Alice Admin", groups: ["haven-admins", "staff"] },
  olga: { email: "olga@idp.test", name: "Olga Operator", groups: ["haven-ops"] },
  eve: { email: "eve@idp.test", name: "Eve Contractor", groups: ["contractors"] },
};

export interface TestIdp {
  issuer: string;
  /** Changes a user's groups (the next sign-in sees them). */
  setGroups(login: string, groups: string[]): void;
  close(): Promise<void>;
}

/** Starts the IdP on `port` (0: any free port) for a console at `consoleBase`. */
export async function startIdp(consoleBase: string, port = 0): Promise<TestIdp> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const users = structuredClone(IDP_USERS);
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: IDP_CLIENT_ID,
        client_secret: IDP_CLIENT_SECRET,
        redirect_uris: [`${consoleBase.replace(/\/+$/, "")}/sso/callback/oidc`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
    scopes: ["openid", "email", "profile", "groups"],
    // Scope-granted claims go into the ID token too (as most IdPs put a group claim there).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ["test-idp-cookie-key"] },
    async findAccount(_ctx, sub) {
      const u = users[sub];
      if (!u) return undefined;
      return { accountId: sub, claims: async () => ({ sub, email: u.email, email_verified: true, name: u.name, groups: u.groups }) };
    },
  });
  provider.on("server_error", (_ctx, err) => console.error("test idp error", err));
  server.on("request", provider.callback());
  return {
    issuer,
    setGroups(login, groups) {
      users[login].groups = groups;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
