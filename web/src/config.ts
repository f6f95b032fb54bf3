// Where the pages find the API and how people sign in: /config.json beside the pages. The local
// server writes it for demo mode; a deployment writes it from the stack's outputs
// (`make deploy-web`).
import { setApiBase } from "./api/client";

export type SignIn =
  | { kind: "demo" }
  | { kind: "cognito"; domain: string; clientId: string; scopes?: string };

export interface PageConfig {
  apiBaseUrl: string;
  signIn: SignIn;
}

export async function loadConfig(): Promise<PageConfig> {
  let config: PageConfig = { apiBaseUrl: "", signIn: { kind: "demo" } };
  try {
    const response = await fetch("/config.json", { cache: "no-cache" });
    if (response.ok) config = { ...config, ...((await response.json()) as Partial<PageConfig>) };
  } catch {
    /* the API on this origin */
  }
  setApiBase(config.apiBaseUrl);
  return config;
}
