import pg from 'pg';

/**
 * A dedicated PostgreSQL session that LISTENs on one channel, for as long as the gateway runs.
 * LISTEN belongs to a session, so it cannot share the pool (nor run through a transaction-mode
 * PgBouncer). The session is watched: a lost connection or a heartbeat that fails or gets no
 * answer within the heartbeat timeout counts as down (`onDown`), and the listener reconnects with
 * a growing pause; `onUp` fires each time LISTEN is in place again. Between the two, notifications
 * may have been missed, and the owner must act as if they were.
 */
export interface NotificationListenerOptions {
  url: string;
  channel: string;
  onNotification(payload: string): void;
  onUp(): void;
  onDown(reason: string): void;
  /** How often the session proves it is alive (default 5 s); an answer must come within the same time. */
  heartbeatMs?: number;
  /** Longest pause between reconnection attempts (default 5 s; the first is 100 ms). */
  maxReconnectDelayMs?: number;
}

export interface NotificationListener {
  close(): Promise<void>;
}

const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function listenForNotifications(options: NotificationListenerOptions): NotificationListener {
  if (!CHANNEL_NAME.test(options.channel)) throw new Error(`not a plain channel name: ${options.channel}`);
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  const maxReconnectDelayMs = options.maxReconnectDelayMs ?? 5_000;
  let client: pg.Client | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let reconnect: NodeJS.Timeout | undefined;
  let delayMs = 100;
  let up = false;
  let closed = false;
  let ending: Promise<void> = Promise.resolve();

  const lose = (current: pg.Client, reason: string) => {
    if (client !== current) return;
    client = undefined;
    clearInterval(heartbeat);
    current.removeAllListeners('notification');
    current.on('error', () => {});
    ending = current.end().catch(() => {});
    if (up && !closed) options.onDown(reason);
    up = false;
    if (closed) return;
    reconnect = setTimeout(connect, delayMs);
    reconnect.unref();
    delayMs = Math.min(delayMs * 2, maxReconnectDelayMs);
  };

  async function connect(): Promise<void> {
    const current = new pg.Client({
      connectionString: options.url,
      application_name: 'tasker-agent-gateway-listener',
      connectionTimeoutMillis: heartbeatMs,
      query_timeout: heartbeatMs,
      keepAlive: true,
    });
    client = current;
    current.on('error', (error) => lose(current, error.message));
    current.on('end', () => lose(current, 'the connection ended'));
    current.on('notification', (message) => {
      if (message.channel === options.channel && message.payload !== undefined) options.onNotification(message.payload);
    });
    try {
      await current.connect();
      await current.query(`LISTEN ${options.channel}`);
    } catch (error) {
      return lose(current, error instanceof Error ? error.message : String(error));
    }
    if (client !== current || closed) return;
    delayMs = 100;
    heartbeat = setInterval(() => {
      current.query('select 1').catch((error: unknown) => lose(current, `heartbeat failed: ${error instanceof Error ? error.message : String(error)}`));
    }, heartbeatMs);
    heartbeat.unref();
    up = true;
    options.onUp();
  }

  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(reconnect);
      if (client) lose(client, 'closed');
      await ending;
    },
  };
}
