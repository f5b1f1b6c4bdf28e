import { randomBytes } from 'node:crypto';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): the gateway joins the trace a caller
 * started (`traceparent`, `tracestate`), or starts one, and every call it makes to Tasker carries
 * the trace on with a span id of its own, so Tasker's logs and the gateway's share a trace id.
 */
export interface TraceContext {
  traceId: string;
  /** The gateway's own span for this request. */
  spanId: string;
  /** The caller's span, when it sent one. */
  parentSpanId: string | undefined;
  flags: string;
  /** Passed on untouched (vendors' entries); dropped when it is not a sane header value. */
  traceState: string | undefined;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
// A list of key=value members, at most 32 of them (512 characters), printable ASCII only.
const TRACESTATE = /^[\x20-\x7e]{1,512}$/;

export const newSpanId = (): string => randomBytes(8).toString('hex');

export function traceContextOf(traceparent: string | null, tracestate: string | null): TraceContext {
  const match = traceparent === null ? null : TRACEPARENT.exec(traceparent.trim());
  // Version ff is forbidden; version 00 has nothing after the flags; all-zero ids are invalid.
  const valid =
    match !== null && match[1] !== 'ff' && !(match[1] === '00' && match[5] !== undefined) && match[2] !== ZERO_TRACE && match[3] !== ZERO_SPAN;
  if (!valid) return { traceId: randomBytes(16).toString('hex'), spanId: newSpanId(), parentSpanId: undefined, flags: '00', traceState: undefined };
  const state = tracestate?.trim();
  return {
    traceId: match[2]!,
    spanId: newSpanId(),
    parentSpanId: match[3]!,
    // Only the sampled bit is defined; the others are passed on as zero.
    flags: (Number.parseInt(match[4]!, 16) & 1).toString(16).padStart(2, '0'),
    traceState: state && TRACESTATE.test(state) && state.split(',').length <= 32 ? state : undefined,
  };
}

/** Headers for one outgoing call: the same trace, a new child span id each time. */
export function childTraceHeaders(trace: TraceContext): Record<string, string> {
  return {
    traceparent: `00-${trace.traceId}-${newSpanId()}-${trace.flags}`,
    ...(trace.traceState ? { tracestate: trace.traceState } : {}),
  };
}
