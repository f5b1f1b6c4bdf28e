import type { Plugin } from 'graphql-yoga';
import { answerIdempotencyKey } from '../../idempotency/answer-key.js';

/**
 * Every agent write runs under an idempotency key, the agent's or one the gateway made; the
 * answer carries it as `extensions.idempotencyKey`, success or error, so the agent can retry the
 * very same write (an agent's persisted operation holds one write, so one key answers for it).
 */
export function useIdempotencyKeyExtension(): Plugin {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          const key = answerIdempotencyKey(args.contextValue as object);
          if (key === undefined) return;
          setResult({ ...result, extensions: { ...result.extensions, idempotencyKey: key } });
        },
      };
    },
  };
}
