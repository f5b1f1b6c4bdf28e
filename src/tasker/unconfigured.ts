import { GatewayError } from '../errors/gateway-error.js';
import type { TaskerClient } from './client.js';

/** Stands in when no TASKER_URL is set (lifecycle-only deployments): every tool call says so. */
export function unconfiguredTasker(): TaskerClient {
  const refuse = async (): Promise<never> => {
    throw new GatewayError('TASKER_UNAVAILABLE', 'this gateway has no Tasker configured (TASKER_URL is not set)');
  };
  // Every method refuses alike; a Proxy keeps this in step with the client interface.
  return new Proxy({} as TaskerClient, {
    get: (_target, name) => (name === 'close' ? async () => {} : refuse),
  });
}
