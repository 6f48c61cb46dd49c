/**
 * Finding the repository's files from a module, whether it runs as its
 * TypeScript source (tests, tsx) or as its compiled copy under dist/
 * (`npm run bench`, scripts/build.mjs), which lies one directory deeper.
 */

/**
 * The URL of the source of the module at `moduleUrl` (pass
 * `import.meta.url`): the module itself, or for a compiled copy
 * `<root>/dist/<path>.js`, `<root>/<path>.ts`. A path relative to it names
 * the same repository file either way.
 */
export function sourceUrl(moduleUrl: string): URL {
  const url = new URL(moduleUrl);
  if (url.pathname.endsWith('.ts')) return url;
  const at = url.pathname.lastIndexOf('/dist/');
  if (at < 0) return url;
  url.pathname = `${url.pathname.slice(0, at)}/${url.pathname.slice(at + '/dist/'.length).replace(/\.js$/, '.ts')}`;
  return url;
}
