// Where the pages find the API and how people sign in: a `<meta name="visits-config">` in the
// page, JSON, which `make deploy-web` writes from the stack's outputs. Without it (make dev) the
// API is the page's own origin and people sign in with the demo accounts. Read from the page
// itself, so no request stands between opening a link and asking the API about it.
import { setApiBase } from "./api/client";

export type SignIn =
  | { kind: "demo" }
  | { kind: "cognito"; domain: string; clientId: string; scopes?: string };

export interface PageConfig {
  apiBaseUrl: string;
  signIn: SignIn;
}

export function loadConfig(): PageConfig {
  let config: PageConfig = { apiBaseUrl: "", signIn: { kind: "demo" } };
  const meta = document.querySelector<HTMLMetaElement>('meta[name="visits-config"]');
  if (meta?.content) config = { ...config, ...(JSON.parse(meta.content) as Partial<PageConfig>) };
  setApiBase(config.apiBaseUrl);
  return config;
}
