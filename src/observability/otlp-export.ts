import { type Attributes, type Context, diag, DiagLogLevel, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Logger } from '../logging/logger.js';
import { type TraceContext, traceContextOf } from './trace-context.js';
import { type GatewayTracing, type RequestSpan, w3cSpan } from './tracing.js';

/**
 * Span export over OTLP/HTTP (JSON), the only file that imports OpenTelemetry; tracing.ts loads it
 * only when an endpoint is configured. The SDK makes the span ids, and the gateway sends exactly
 * those to Tasker, so a collector joins the gateway's spans to Tasker's: the caller's span → the
 * gateway's request span (SERVER) → one span per Tasker attempt (CLIENT) → Tasker's own.
 *
 * Attributes are bounded facts only, the ones the metrics may carry: method, route pattern, surface,
 * operation name, principal kind, status, Tasker's endpoint pattern and the attempt's outcome. Never a
 * raw path, an id, a header, a body or a credential. The caller's sampled flag is obeyed (parent-based
 * sampling); a trace the gateway starts is sampled.
 */
const SCOPE = 'nodedc-tasker-agent-gateway';
/** Operators' endpoints: probed every few seconds, a span each would drown the traces that matter. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export function startOtlpTracing(options: { url: string; serviceName: string; logger: Logger }): GatewayTracing {
  // The SDK's own complaints (an export refused, a collector away) reach the gateway's log, never stdout.
  diag.setLogger(
    {
      error: (message) => options.logger.warn(`OpenTelemetry: ${message}`),
      warn: (message) => options.logger.warn(`OpenTelemetry: ${message}`),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    DiagLogLevel.WARN,
  );
  // Headers (OTEL_EXPORTER_OTLP_HEADERS) and timeouts come from the standard variables, read by the exporter.
  const exporter = new OTLPTraceExporter({ url: options.url });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [new BatchSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer(SCOPE);

  return {
    startRequest: ({ method, path, traceparent, tracestate }) => {
      if (UNTRACED_PATHS.has(path)) return w3cSpan(traceparent, tracestate);
      const caller = traceContextOf(traceparent, tracestate);
      const span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } }, parentOf(caller));
      return requestSpan(span, caller);
    },
    shutdown: () => provider.shutdown(),
  };

  function requestSpan(span: Span, caller: TraceContext): RequestSpan {
    const own = span.spanContext();
    const sampled = (own.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
    const traceContext: TraceContext = {
      traceId: own.traceId,
      spanId: own.spanId,
      parentSpanId: caller.parentSpanId,
      flags: sampled ? '01' : '00',
      traceState: caller.traceState,
    };
    const context = trace.setSpan(ROOT_CONTEXT, span);
    return {
      trace: traceContext,
      taskerAttempt: (operation, attempt) => {
        const child = tracer.startSpan(
          operation,
          { kind: SpanKind.CLIENT, attributes: { 'http.request.method': operation.split(' ')[0] ?? '', 'url.template': operation, 'gateway.tasker.attempt': attempt } },
          context,
        );
        const ids = child.spanContext();
        return {
          headers: {
            traceparent: `00-${ids.traceId}-${ids.spanId}-${traceContext.flags}`,
            ...(traceContext.traceState ? { tracestate: traceContext.traceState } : {}),
          },
          end: ({ status, outcome }) => {
            const attributes: Attributes = { 'gateway.tasker.outcome': outcome };
            if (status !== null) attributes['http.response.status_code'] = status;
            child.setAttributes(attributes);
            if (outcome !== 'ok') child.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
            child.end();
          },
        };
      },
      end: (observation, status) => {
        // HTTP semantic conventions: "{method} {route}", the route being a pattern, never the path.
        span.updateName(`${observation.method} ${observation.route}`);
        span.setAttributes({
          'http.route': observation.route,
          'http.response.status_code': status,
          'gateway.surface': observation.surface,
          'gateway.operation': observation.operation ?? 'none',
          'gateway.principal': observation.principal?.kind ?? 'none',
        });
        // A server's 4xx is the caller's mistake, not the span's failure.
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      },
    };
  }
}

/** The caller's span as the remote parent; none: a root span (a new trace). */
function parentOf(caller: TraceContext): Context {
  if (caller.parentSpanId === undefined) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: caller.traceId,
    spanId: caller.parentSpanId,
    traceFlags: Number.parseInt(caller.flags, 16),
    isRemote: true,
  });
}
