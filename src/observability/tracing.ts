import type { Logger } from '../logging/logger.js';
import type { RequestObservation } from './request-observation.js';
import { childTraceHeaders, type TraceContext, traceContextOf } from './trace-context.js';

/**
 * Tracing as the gateway does it: every request joins its caller's W3C trace (or starts one), and
 * every attempt of a Tasker call carries that trace on with a span id of its own (trace-context.ts).
 * That much always happens and costs two headers. Exporting spans is optional: with an OTLP endpoint
 * configured, otlp-export.ts (the only file that imports OpenTelemetry, loaded only then) sends one
 * span per request and one per Tasker attempt, whose ids are the very ones the headers carried.
 */
export interface TaskerAttemptSpan {
  /** traceparent (and tracestate) for this attempt: the request's trace, this attempt's own span id. */
  readonly headers: Record<string, string>;
  /** `outcome`: `ok`, or the gateway error code the attempt failed with; `status`: Tasker's, null without an answer. */
  end(result: { status: number | null; outcome: string }): void;
}

export interface RequestSpan {
  readonly trace: TraceContext;
  /** One attempt at a Tasker call made for this request; `operation` is its bounded name (`GET /issues/:id`). */
  taskerAttempt(operation: string, attempt: number): TaskerAttemptSpan;
  /** The answer left: the span takes the bounded facts the layers learnt (route, operation, principal kind). */
  end(observation: RequestObservation, status: number): void;
}

export interface GatewayTracing {
  /** `path` only decides whether the request is worth a span (health checks and scrapes are not). */
  startRequest(request: { method: string; path: string; traceparent: string | null; tracestate: string | null }): RequestSpan;
  /** Sends what is still buffered; at shutdown. */
  shutdown(): Promise<void>;
}

/** The default: W3C headers joined and passed on, nothing recorded, nothing exported. */
export function w3cSpan(traceparent: string | null, tracestate: string | null): RequestSpan {
  const trace = traceContextOf(traceparent, tracestate);
  return {
    trace,
    taskerAttempt: () => ({ headers: childTraceHeaders(trace), end: () => {} }),
    end: () => {},
  };
}

export const w3cTracing: GatewayTracing = {
  startRequest: ({ traceparent, tracestate }) => w3cSpan(traceparent, tracestate),
  shutdown: async () => {},
};

export interface TracingConfig {
  /** Where spans go (OTLP/HTTP with JSON); unset: nothing is exported and OpenTelemetry is never loaded. */
  otlpTracesUrl: string | undefined;
  serviceName: string;
}

/** Loads the exporter only when one is configured, so a gateway without one pays nothing for it. */
export async function startTracing(config: TracingConfig, logger: Logger): Promise<GatewayTracing> {
  if (!config.otlpTracesUrl) return w3cTracing;
  let exporter: typeof import('./otlp-export.js');
  try {
    exporter = await import('./otlp-export.js');
  } catch (error) {
    // The OpenTelemetry packages are optional dependencies: an install may have left them out.
    throw new Error(
      `OTEL_EXPORTER_OTLP_ENDPOINT is set, but the OpenTelemetry packages cannot be loaded (${error instanceof Error ? error.message : String(error)}); install the optional dependencies (npm ci --include=optional) or unset it`,
    );
  }
  return exporter.startOtlpTracing({ url: config.otlpTracesUrl, serviceName: config.serviceName, logger });
}
