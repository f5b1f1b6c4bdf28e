import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * GraphiQL served whole from the package: its script, styles and editor workers are inlined in the
 * page, so it works where the gateway has no way out to a public CDN (yoga's default loads them from
 * one, and without internet the page stays on "Loading…").
 *
 * The page is about 9 MB; building it is string work proportional to that. The options are the same
 * on every request, so it is built once, on the first request that asks for it, and kept.
 */
export function offlineGraphiQL(): (options: GraphiQLOptions) => string {
  let page: string | undefined;
  let builtFor: string | undefined;
  return (options) => {
    const key = JSON.stringify(options);
    if (page === undefined || builtFor !== key) {
      page = renderGraphiQL(options);
      builtFor = key;
    }
    return page;
  };
}
