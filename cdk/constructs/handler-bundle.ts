// How every handler is bundled, in one place: WorkflowFunction hands it to NodejsFunction (esbuild CLI) and the
// bench and the bundle tests to esbuild's API, so what is measured and tested is what is deployed.
import type { BuildOptions } from 'esbuild';

// node-soap and some of its dependencies are CommonJS and call require(); an ESM bundle has no require,
// so give it one (evanw/esbuild#1921), plus the CJS globals some of them read.
export const ESM_BANNER = [
  "import { createRequire as __icCreateRequire } from 'node:module';",
  "import { fileURLToPath as __icFileURLToPath } from 'node:url';",
  "import { dirname as __icDirname } from 'node:path';",
  'const require = __icCreateRequire(import.meta.url);',
  'const __filename = __icFileURLToPath(import.meta.url);',
  'const __dirname = __icDirname(__filename);',
].join(' ');

const SHIMS = 'cdk/constructs/bundle-shims';

/**
 * Import paths esbuild replaces, relative to the repository root (esbuild resolves alias targets against its
 * working directory, which is the project root for NodejsFunction and `absWorkingDir` for the API). Each
 * shim says why it is safe; the bundle tests run a vCenter handler from its bundle against the simulator.
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  'node:http': `./${SHIMS}/node-http.cjs`,
  http: `./${SHIMS}/node-http.cjs`,
  axios: `./${SHIMS}/soap-http-unused.cjs`,
  'axios-ntlm': `./${SHIMS}/soap-http-unused.cjs`,
  'whatwg-mimetype': `./${SHIMS}/soap-http-unused.cjs`,
  formidable: `./${SHIMS}/soap-http-unused.cjs`,
};

/** The esbuild settings NodejsFunction expresses as typed props (see WorkflowFunction). */
export const HANDLER_BUNDLE = {
  format: 'esm',
  platform: 'node',
  target: 'node22',
  // ESM entry points first, so esbuild can drop what a handler never imports from the AWS SDK and zod.
  mainFields: ['module', 'main'],
  minify: true,
  banner: ESM_BANNER,
} as const;

/**
 * NODE_OPTIONS every function runs with: none. Not `--enable-source-maps`, which indexes the source map at every
 * cold start; a failing handler maps its stack itself (lambdas/workflow/stack-sources.ts).
 */
export const HANDLER_NODE_OPTIONS: string = '';

/** NodejsFunction's `esbuildArgs` for what it has no typed prop for (the aliases). */
export function handlerEsbuildArgs(): Record<string, string[]> {
  return { '--alias': Object.entries(BUNDLE_ALIASES).map(([from, to]) => `${from}=${to}`) };
}

/** The same bundle through esbuild's API: one `index.mjs` (and its source map) per handler, as on Lambda. */
export function handlerBuildOptions(root: string, entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    absWorkingDir: root,
    bundle: true,
    format: HANDLER_BUNDLE.format,
    platform: HANDLER_BUNDLE.platform,
    target: HANDLER_BUNDLE.target,
    mainFields: [...HANDLER_BUNDLE.mainFields],
    minify: HANDLER_BUNDLE.minify,
    banner: { js: HANDLER_BUNDLE.banner },
    alias: { ...BUNDLE_ALIASES },
    sourcemap: true,
    sourcesContent: false,
    metafile: true,
    logLevel: 'silent',
  };
}
