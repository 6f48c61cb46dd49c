/**
 * Bundles the entry points of a compiled harness in place (scripts/build.mjs
 * runs it on its fresh build): each entry, with every module it imports (its
 * own and those of node_modules), becomes one file. Start-up then reads and
 * compiles one file instead of about 160 (issue 16: module resolution and
 * loading were half of a trivial run's CPU time). The modules stay beside the
 * bundles, unbundled, for whatever imports them directly (the memory probe).
 *
 * A module that finds files from `import.meta.url` (the cost profiles, the
 * repository root, the worker thread's entry, yargs's own files) keeps
 * finding them: every `import.meta.url` in a bundled module becomes the URL
 * of that module where it lies unbundled, written relative to the bundle so
 * a moved checkout still works.
 *
 * Usage: node scripts/bundle.mjs DIR ENTRY...   (ENTRY relative to DIR)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';

/** The entry points bundled: the CLI, its worker thread, the host-speed suite. */
export const BUNDLED = ['bench/cli.js', 'bench/cli/worker.js', 'bench/host.js'];

/** Replaces `import.meta.url` in the module at `file` with its URL relative to the bundle at `outfile`. */
function metaUrlPlugin(outfile) {
  return {
    name: 'module-url',
    setup(build) {
      build.onLoad({ filter: /\.(m?js|cjs)$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const rel = relative(dirname(outfile), args.path).split(sep).join('/');
        const url = `(new URL(${JSON.stringify(rel.startsWith('.') ? rel : `./${rel}`)}, import.meta.url).href)`;
        return { contents: text.replaceAll('import.meta.url', url), loader: 'js' };
      });
    },
  };
}

export async function bundle(dir, entries) {
  const esbuild = createRequire(import.meta.url)('esbuild');
  for (const entry of entries) {
    const file = join(dir, entry);
    await esbuild.build({
      entryPoints: [file],
      outfile: file,
      allowOverwrite: true,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'warning',
      // CommonJS dependencies call require; an ES module has none of its own.
      banner: {
        js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);",
      },
      plugins: [metaUrlPlugin(file)],
    });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split(sep).join('/'))) {
  const [dir, ...entries] = process.argv.slice(2);
  await bundle(dir, entries.length > 0 ? entries : BUNDLED);
}
