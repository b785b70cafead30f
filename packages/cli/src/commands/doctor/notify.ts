/**
 * `doctor --notify`: after the run, the findings are posted as JSON to a webhook, so a daily
 * timer can tell someone that a key is about to lapse. The payload ({@link DoctorNotification}) holds
 * what `--json` prints plus a summary and a `text` line that Slack and Telegram display; no secret,
 * and no more of a key than its 6-character preview.
 * @module
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { redactText } from '@exkeys/credentials';
import type { DoctorFinding } from '../../doctor-finding.js';
import { UsageError } from '../../exit-codes.js';
import { plural } from '../../messages.js';
import type { PrivateEnv } from '../../store-selection.js';

/** The variable `--notify` without a value reads the URL from. */
export const NOTIFY_URL_VARIABLE = 'EXKEYS_NOTIFY_URL';

/** Telegram refuses messages over 4096 characters; Slack truncates long ones. */
const MAX_TEXT = 3500;
const TIMEOUT_MS = 10_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The JSON body `--notify` posts (schema `exkeys.doctor/1`). */
export interface DoctorNotification {
  /** Names this shape; a change that breaks readers gets a new number. */
  schema: 'exkeys.doctor/1';
  /** True when no finding failed (doctor exits 0). */
  ok: boolean;
  /** The machine that ran doctor (`os.hostname()`). */
  host: string;
  /** When the run finished (ISO 8601). */
  at: string;
  /** How many findings failed, warned and passed. */
  summary: { failures: number; warnings: number; passes: number };
  /** A readable summary with each failure and warning and its fix, for chat webhooks. */
  text: string;
  /** Every finding, as `doctor --json` prints them. */
  findings: readonly DoctorFinding[];
}

/** The origin of `url` alone, for messages: the path or query of a webhook may hold its token. */
function originOf(url: URL): string {
  return url.origin;
}

/** `EXKEYS_NOTIFY_URL` as a systemd credential (`exkeys systemd --notify`), when there is one. */
function fromCredentials(env: PrivateEnv): string | undefined {
  const dir = env.CREDENTIALS_DIRECTORY;
  if (!dir) return undefined;
  try {
    return readFileSync(join(dir, NOTIFY_URL_VARIABLE), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * The webhook URL of `--notify`: the flag's value, or for the flag alone `EXKEYS_NOTIFY_URL`, from
 * the environment or from the systemd credential of that name.
 * Plain `http` is accepted for loopback addresses only, since the URL usually carries a token.
 * @throws {UsageError} when the URL is missing or not an https URL (never quoting it).
 */
export function parseNotifyUrl(value: string | true, env: PrivateEnv = process.env): URL {
  const raw = value === true ? (env[NOTIFY_URL_VARIABLE] ?? fromCredentials(env)) : value;
  if (raw === undefined || raw.trim() === '') {
    throw new UsageError(
      `--notify needs a webhook URL: pass it (--notify https://…) or set ${NOTIFY_URL_VARIABLE}, which keeps a token in the URL out of shell history.`,
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(
      `--notify takes an absolute https URL, such as https://hooks.slack.com/services/… (the value given is not a URL).`,
    );
  }
  const secure =
    url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  if (!secure || url.username !== '' || url.password !== '') {
    throw new UsageError(
      `--notify takes an https URL without user:password (http only for 127.0.0.1 or localhost); got one for ${url.protocol}//${url.hostname}.`,
    );
  }
  return url;
}

/** Builds the payload for `findings`. Every value of `env` is redacted from it, as a last guard. */
export function notification(
  findings: readonly DoctorFinding[],
  env: PrivateEnv,
  now: Date = new Date(),
): DoctorNotification {
  const count = (status: DoctorFinding['status']) =>
    findings.filter((finding) => finding.status === status).length;
  const summary = { failures: count('fail'), warnings: count('warn'), passes: count('pass') };
  const host = hostname();
  const lines = [
    summary.failures === 0
      ? `exkeys doctor on ${host}: no problems${summary.warnings > 0 ? `, ${plural(summary.warnings, 'warning')}` : ''}`
      : `exkeys doctor on ${host}: ${plural(summary.failures, 'problem')}, ${plural(summary.warnings, 'warning')}`,
  ];
  for (const finding of findings) {
    if (finding.status === 'pass') continue;
    lines.push(`${finding.status === 'fail' ? '✖' : '!'} ${finding.message}`);
    if (finding.fix) lines.push(`  fix: ${finding.fix}`);
  }
  let text = lines.join('\n');
  if (text.length > MAX_TEXT) text = `${text.slice(0, MAX_TEXT)}\n… (see the findings)`;
  const payload: DoctorNotification = {
    schema: 'exkeys.doctor/1',
    ok: summary.failures === 0,
    host,
    at: now.toISOString(),
    summary,
    text,
    findings,
  };
  return JSON.parse(redactText(JSON.stringify(payload), Object.values(env))) as DoctorNotification;
}

/**
 * Posts `payload` to `url` as JSON.
 * @throws {Error} naming the webhook's origin only, when it cannot be reached in 10 s or answers
 *   other than 2xx.
 */
export async function postNotification(url: URL, payload: DoctorNotification): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new Error(
      `Could not post the findings to ${originOf(url)} (${reason}). Check the webhook URL and the network.`,
    );
  }
  await response.body?.cancel();
  if (!response.ok) {
    throw new Error(
      `The webhook at ${originOf(url)} refused the findings (HTTP ${response.status}). Check the URL, its token and, for Telegram, chat_id.`,
    );
  }
}
