// Signing in to the portal and the desk. In AWS: Cognito's hosted UI, authorization code with
// PKCE; locally: a demo account (GET /dev/tokens, the local server's). The access token stays in
// this tab's sessionStorage, never in localStorage or the address bar.
import { call } from "../api/client";
import type { SignIn } from "../config";
import { button, h, show } from "../ui/dom";

export interface SignedIn {
  token: string;
  sub: string;
  roles: string[];
}

const SESSION_KEY = "visit.signedIn";
const PKCE_KEY = "visit.pkce";

export function current(): SignedIn | null {
  const raw = sessionStorage.getItem(SESSION_KEY);
  if (!raw) return null;
  const signedIn = JSON.parse(raw) as SignedIn & { expiresAt: number };
  return signedIn.expiresAt > Date.now() / 1000 + 30 ? signedIn : null;
}

export function signOut(): void {
  sessionStorage.removeItem(SESSION_KEY);
}

function keep(token: string): SignedIn {
  const claims = JSON.parse(base64UrlDecode(token.split(".")[1] ?? "")) as Record<string, unknown>;
  const groups = claims["cognito:groups"];
  const signedIn = {
    token,
    sub: String(claims.sub ?? ""),
    roles: Array.isArray(groups) ? groups.map(String) : [],
    expiresAt: Number(claims.exp ?? 0),
  };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(signedIn));
  return signedIn;
}

/** The demo accounts a page offers: the key in GET /dev/tokens and the account's email. */
export type DemoAccount = { key: string; email: string };

/** Shows the sign-in choice; resolves once someone is signed in. */
export async function signIn(root: HTMLElement, config: SignIn, accounts: DemoAccount[]): Promise<SignedIn> {
  const already = current();
  if (already) return already;
  if (config.kind === "cognito") {
    const returned = await finishHostedUi(config);
    if (returned) return returned;
    show(root, h("h2", {}, "Sign in"), button("Sign in", () => void startHostedUi(config), { class: "primary", id: "sign-in" }));
    return new Promise(() => {});
  }
  return new Promise((resolve) => {
    const choose = async (account: DemoAccount) => {
      const { body } = await call<Record<string, string>>("/dev/tokens");
      const token = body[account.key];
      if (token) resolve(keep(token));
    };
    show(
      root,
      h("h2", {}, "Sign in"),
      h("p", {}, "Demo mode: choose a demo account."),
      h("div", { class: "accounts" }, ...accounts.map((account) => button(`Sign in as ${account.email}`, () => void choose(account)))),
    );
  });
}

function redirectUri(): string {
  // One callback per app: /portal or /desk (the user pool client lists both).
  return `${location.origin}/${location.pathname.split("/")[1]}`;
}

async function startHostedUi(config: Extract<SignIn, { kind: "cognito" }>): Promise<void> {
  const verifier = randomString(64);
  const state = randomString(24);
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  const challenge = base64UrlEncode(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: config.scopes ?? "openid email phone",
    code_challenge: challenge,
    code_challenge_method: "S256",
    state,
  });
  location.assign(`https://${config.domain}/oauth2/authorize?${query}`);
}

/** Back from the hosted UI with `?code&state`: exchange the code, then drop it from the address. */
async function finishHostedUi(config: Extract<SignIn, { kind: "cognito" }>): Promise<SignedIn | null> {
  const params = new URLSearchParams(location.search);
  const code = params.get("code");
  const pkce = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? "null") as { verifier: string; state: string } | null;
  history.replaceState(null, "", location.pathname);
  sessionStorage.removeItem(PKCE_KEY);
  if (!code || !pkce || params.get("state") !== pkce.state) return null;
  const response = await fetch(`https://${config.domain}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: config.clientId,
      code,
      redirect_uri: redirectUri(),
      code_verifier: pkce.verifier,
    }),
  });
  if (!response.ok) return null;
  const tokens = (await response.json()) as { access_token?: string };
  return tokens.access_token ? keep(tokens.access_token) : null;
}

function randomString(length: number): string {
  // 64 characters: a byte modulo 64 is uniform.
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (byte) => alphabet[byte % alphabet.length]).join("");
}

function base64UrlEncode(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function base64UrlDecode(text: string): string {
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  return atob(padded);
}
