import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * GraphiQL served whole from the package: its script, styles and editor workers are inlined in the
 * page, so it works where the gateway has no way out to a public CDN (yoga's default loads them from
 * one, and without internet the page stays on "Loading…").
 *
 * The page is about 9 MB; building it is string work proportional to that. The options are the same
 * on every request, so it is built once, on the first request that asks for it, and kept.
 *
 * The package itself is imported on that first request too, never at start: its module is the
 * 9 MB page as source text, ~30 MB of the heap once loaded (the source, the string it builds, the
 * styles), and a gateway that never serves GraphiQL (production's default) should not carry it.
 */
export function offlineGraphiQL(): (options: GraphiQLOptions) => Promise<string> {
  let page: Promise<string> | undefined;
  let builtFor: string | undefined;
  return (options) => {
    const key = JSON.stringify(options);
    if (page === undefined || builtFor !== key) {
      builtFor = key;
      page = import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => renderGraphiQL(options));
      // A failed import is not kept: the next request tries again.
      page.catch(() => {
        page = undefined;
      });
    }
    return page;
  };
}
