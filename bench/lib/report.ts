import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

/** One contender at one concurrency: medians over the rounds of one run. */
export interface ContenderSummary {
  contender: string;
  call: string;
  gatewayLabel: string | undefined;
  version: 'before' | 'after' | undefined;
  database: 'pglite' | 'postgres' | undefined;
  concurrency: number;
  rps: number;
  p50: number;
  p99: number;
  cpuMs: number;
  statements: number | null;
  rssMb: number;
  failures: number;
}

export interface RunFacts {
  machine: string;
  startedAt: Date;
  rounds: number;
  roundMs: number;
  concurrencies: number[];
  baseline: boolean;
  summaries: ContenderSummary[];
}

export function machineFacts(postgresVersion: string | undefined): string {
  const cpu = cpus();
  const load = loadavg().map((value) => value.toFixed(1)).join(' / ');
  return [
    `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores (shared with other work: load average ${load} at the start)`,
    `${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM`,
    `Node ${process.version}`,
    postgresVersion ? `PostgreSQL ${postgresVersion}` : 'no PostgreSQL',
  ].join('; ');
}

const fixed = (value: number | null, digits: number) => (value === null || !Number.isFinite(value) ? '–' : value.toFixed(digits));
const ratio = (value: number, floor: number | undefined) => (floor === undefined || !Number.isFinite(floor) || floor === 0 ? '–' : `${(value / floor).toFixed(2)}×`);
const CALL_NAMES: Record<string, string> = {
  bare: 'bare signed proxy (floor)',
  graphql: 'GraphQL persisted `ListIssues`',
  mcp: 'MCP `tools/call list_issues`',
  session: 'GraphQL `GetAgentSession`',
};

function table(facts: RunFacts, rows: ContenderSummary[], bareAt: (c: number) => ContenderSummary | undefined): string[] {
  const lines = [
    '| call | c | req/s | × bare | p50 ms | p99 ms | p99 − bare p99 | gateway CPU ms/call | × bare CPU | DB statements/call | RSS MB | failed calls |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const c of facts.concurrencies) {
    const bare = bareAt(c);
    for (const row of rows.filter((candidate) => candidate.concurrency === c)) {
      const isBare = row.call === 'bare';
      lines.push(
        `| ${CALL_NAMES[row.call] ?? row.call} | ${c} | ${fixed(row.rps, 0)} | ${isBare ? '1' : ratio(row.rps, bare?.rps)} | ${fixed(row.p50, 2)} | ${fixed(row.p99, 2)} | ${
          isBare || !bare ? '–' : `${(row.p99 - bare.p99).toFixed(2)}`
        } | ${fixed(row.cpuMs, 3)} | ${isBare ? '1' : ratio(row.cpuMs, bare?.cpuMs)} | ${fixed(row.statements, 2)} | ${fixed(row.rssMb, 0)} | ${row.failures} |`,
      );
    }
  }
  return lines;
}

/** The goals of issue #11, read off this run (CPU at c=16; added latency at c=1). */
function goals(facts: RunFacts, gateways: string[]): string[] {
  const find = (call: string, gateway: string | undefined, c: number) =>
    facts.summaries.find((row) => row.call === call && row.gatewayLabel === gateway && row.concurrency === c);
  const bare = (c: number) => find('bare', undefined, c);
  const value = (gateway: string, compute: () => number | undefined, digits: number, suffix = '') => {
    const result = compute();
    return result === undefined || !Number.isFinite(result) ? '–' : `${result.toFixed(digits)}${suffix}`;
  };
  const rows: { goal: string; target: string; compute: (gateway: string) => number | undefined; digits: number; suffix?: string }[] = [
    { goal: 'GraphQL read: gateway CPU per call (c=16)', target: '≤ 1.2 ms', compute: (g) => find('graphql', g, 16)?.cpuMs, digits: 2, suffix: ' ms' },
    { goal: 'GraphQL read: CPU vs bare proxy (c=16)', target: '≤ 3×', compute: (g) => ratioOf(find('graphql', g, 16)?.cpuMs, bare(16)?.cpuMs), digits: 2, suffix: '×' },
    { goal: 'MCP tools/call: gateway CPU per call (c=16)', target: '≤ 1.6 ms', compute: (g) => find('mcp', g, 16)?.cpuMs, digits: 2, suffix: ' ms' },
    { goal: 'agentSession: gateway CPU per call (c=16)', target: '≤ 0.5 ms', compute: (g) => find('session', g, 16)?.cpuMs, digits: 2, suffix: ' ms' },
    { goal: 'GraphQL read: throughput vs bare proxy (c=16)', target: '≥ 0.5×', compute: (g) => ratioOf(find('graphql', g, 16)?.rps, bare(16)?.rps), digits: 2, suffix: '×' },
    { goal: 'MCP tools/call: throughput vs bare proxy (c=16)', target: '≥ 0.4×', compute: (g) => ratioOf(find('mcp', g, 16)?.rps, bare(16)?.rps), digits: 2, suffix: '×' },
    { goal: 'GraphQL read: added p99 (c=1)', target: '≤ 2 ms', compute: (g) => diffOf(find('graphql', g, 1)?.p99, bare(1)?.p99), digits: 2, suffix: ' ms' },
    { goal: 'MCP tools/call: added p99 (c=1)', target: '≤ 3 ms', compute: (g) => diffOf(find('mcp', g, 1)?.p99, bare(1)?.p99), digits: 2, suffix: ' ms' },
    { goal: 'GraphQL read: DB statements per call', target: '1', compute: (g) => find('graphql', g, 16)?.statements ?? undefined, digits: 2 },
    { goal: 'MCP tools/call: DB statements per call', target: '1', compute: (g) => find('mcp', g, 16)?.statements ?? undefined, digits: 2 },
  ];
  return [
    `| goal | target | ${gateways.join(' | ')} |`,
    `|---|---|${gateways.map(() => '--:').join('|')}|`,
    ...rows.map((row) => `| ${row.goal} | ${row.target} | ${gateways.map((g) => value(g, () => row.compute(g), row.digits, row.suffix)).join(' | ')} |`),
  ];
}
const ratioOf = (value: number | undefined, floor: number | undefined) => (value === undefined || !floor ? undefined : value / floor);
const diffOf = (value: number | undefined, floor: number | undefined) => (value === undefined || floor === undefined ? undefined : value - floor);

export function renderReport(facts: RunFacts): string {
  const gateways = [...new Set(facts.summaries.map((row) => row.gatewayLabel).filter((label): label is string => label !== undefined))];
  const bareAt = (c: number) => facts.summaries.find((row) => row.call === 'bare' && row.concurrency === c);
  const lines = [
    `Run of ${facts.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC. ${facts.machine}.`,
    `${facts.rounds} interleaved rounds of ${facts.roundMs} ms per contender and concurrency; every figure is the median over the rounds, and every ratio compares with the bare proxy measured in the same run. CPU is the measured process's own (\`process.cpuUsage\`, all threads, so PGlite's work counts as the gateway's; PostgreSQL's server processes are not counted). Statements are counted by a Kysely log hook in the gateway process (begin and commit included).`,
    '',
    '**Goals (issue #11)**',
    '',
    ...goals(facts, gateways),
  ];
  for (const gateway of gateways) {
    lines.push('', `**${gateway}**`, '');
    const rows = facts.summaries.filter((row) => row.gatewayLabel === gateway || row.call === 'bare');
    lines.push(...table(facts, rows, bareAt));
  }
  return lines.join('\n');
}

/** Replaces the part of the file between `<!-- bench:<section>:start -->` and its end marker. */
export function writeReport(path: string, report: string, section: string): void {
  const start = `<!-- bench:${section}:start -->`;
  const end = `<!-- bench:${section}:end -->`;
  const text = readFileSync(path, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${path} has no ${start} … ${end} section`);
  writeFileSync(path, `${text.slice(0, from + start.length)}\n${report}\n${text.slice(to)}`);
}
