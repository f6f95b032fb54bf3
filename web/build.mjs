// Builds the pages into dist/: one ES module per page, split so that the Chime SDK is its own
// chunk, loaded only when someone enters a real meeting. `node build.mjs --metafile` also writes
// what each output holds (for the first-load budget in make bench).
import { build } from "esbuild";
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";

const dist = new URL("./dist/", import.meta.url);
await rm(dist, { recursive: true, force: true });
await mkdir(new URL("assets/", dist), { recursive: true });

// The Chime SDK's messaging client is never used by the pages (see src/call/no-messaging.ts).
const noMessaging = {
  name: "no-messaging",
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/client-chime-sdk-messaging$/ }, () => ({
      path: new URL("./src/call/no-messaging.ts", import.meta.url).pathname,
    }));
  },
};

const result = await build({
  entryPoints: { join: "src/join/main.ts", portal: "src/portal/main.ts", desk: "src/desk/main.ts" },
  outdir: "dist/assets",
  bundle: true,
  splitting: true,
  format: "esm",
  minify: true,
  target: ["chrome110", "firefox110", "safari16"],
  chunkNames: "chunk-[hash]",
  legalComments: "linked",
  metafile: true,
  plugins: [noMessaging],
  // The Chime SDK reads Node's `global` in places (a bundler for browsers maps it).
  define: { global: "globalThis" },
  logLevel: "warning",
});
await cp("pages/app.css", "dist/assets/app.css");
// Each page is the shell with its title and main content (pages/<name>.html), its script, and
// the chunks that script imports, preloaded so the browser fetches them at once rather than one
// after another.
const shell = await readFile("pages/shell.html", "utf8");
for (const name of ["join", "portal", "desk"]) {
  const page = await readFile(`pages/${name}.html`, "utf8");
  const [, title, main] = /^<title>(.*)<\/title>\n([\s\S]*?)\n?$/.exec(page);
  const preloads = result.metafile.outputs[`dist/assets/${name}.js`].imports
    .filter((entry) => entry.kind === "import-statement")
    .map((entry) => `<link rel="modulepreload" href="/assets/${entry.path.split("/").pop()}">`);
  const scripts = [...preloads, `<script type="module" src="/assets/${name}.js"></script>`].join("\n");
  const html = shell.replace("{{title}}", title).replace("{{scripts}}", scripts).replace("{{main}}", main);
  await writeFile(`dist/${name}.html`, html);
}
if (process.argv.includes("--metafile")) await writeFile("dist/meta.json", JSON.stringify(result.metafile));
