/**
 * `exkeys scan --verify`: pairs the exact-shape findings of one file into credentials and checks
 * each pair live through the exchange packages (the verifier map `verify` uses), then ranks every
 * finding of the pair `valid`, `can-trade` or `can-withdraw`, or `invalid` / `unverifiable` with
 * the reason.
 *
 * Pairing, within one file (for history: one file in one commit):
 * - each key finding (`<exchange>-key`) takes the nearest secret finding of its exchange
 *   (`<exchange>-secret`) by line, the one below on a tie; a secret may serve several keys;
 * - where key and secret share a shape (`<exchange>-key-or-secret`, Binance), findings pair in line
 *   order (first with second, third with fourth…) and both orders are tried;
 * - an exchange that needs a passphrase (OKX) takes the value of the `passphrase`/`password`
 *   assignment in the same file nearest to the pair's lines, the one below on a tie;
 * - a finding left without a partner, a store value (`configured-value`, check those with
 *   `exkeys verify`) and a PEM private key are `unverifiable`, and nothing is sent for them.
 * The same credential found in several places is sent once.
 * @module
 */

import { EXCHANGES } from '@exkeys/credentials';
import { OKX_REGION_HOSTS } from '@exkeys/okx';
import type { Finding, FindingVerification, VerificationRank } from './finding.js';
import { type FoundValues, placeOf } from './found-values.js';
import { VERIFIABLE_EXCHANGES, verifyMany } from './live-verification.js';
import type { EndpointOptions } from './options.js';

/** A credential assembled from findings, ready to send. */
interface Candidate {
  exchange: string;
  /** The findings the credential was assembled from; each gets the result. */
  findings: Finding[];
  /** [key, secret] orders to try: one, or two when key and secret share a shape. */
  orders: Array<[string, string]>;
  passphrase?: string;
  /** Which findings were paired, for the report. */
  paired: string;
}

/** The API host each verifier calls, per environment: what the warning names. */
const HOSTS: Readonly<Record<string, { live: string; testnet: string; demo: string }>> = {
  // ccxt 4.5.84: bybit `https://api.{hostname}`, `api-testnet.`, `api-demo.` with hostname bybit.com.
  bybit: { live: 'api.bybit.com', testnet: 'api-testnet.bybit.com', demo: 'api-demo.bybit.com' },
  // ccxt 4.5.84: binance `api.binance.com`, test `testnet.binance.vision`, demo `demo-api.binance.com`.
  binance: {
    live: 'api.binance.com',
    testnet: 'testnet.binance.vision',
    demo: 'demo-api.binance.com',
  },
  // OKX demo trading is the live host with the `x-simulated-trading` header.
  okx: { live: 'www.okx.com', testnet: 'www.okx.com', demo: 'www.okx.com' },
};

/** The host `exchange`'s credentials go to under `endpoint`, as the warning names it. */
export function verifyHost(exchange: string, endpoint: EndpointOptions): string {
  if (endpoint.baseUrl !== undefined) return new URL(endpoint.baseUrl).host;
  if (exchange === 'okx' && endpoint.region !== undefined) return OKX_REGION_HOSTS[endpoint.region];
  const hosts = HOSTS[exchange];
  if (hosts === undefined) return `${exchange}'s API`;
  return endpoint.testnet ? hosts.testnet : endpoint.demo ? hosts.demo : hosts.live;
}

const isKeyRule = (finding: Finding) => finding.rule === `${finding.exchange}-key`;
const isSecretRule = (finding: Finding) => finding.rule === `${finding.exchange}-secret`;
const isEitherRule = (finding: Finding) => finding.rule === `${finding.exchange}-key-or-secret`;

function nearest<T extends { line: number }>(items: readonly T[], line: number): T | undefined {
  let best: T | undefined;
  for (const item of items) {
    const distance = Math.abs(item.line - line);
    const bestDistance = best === undefined ? Number.POSITIVE_INFINITY : Math.abs(best.line - line);
    if (distance < bestDistance || (distance === bestDistance && item.line > line)) best = item;
  }
  return best;
}

/**
 * The item nearest to the lines `findings` span (0 inside the span), the one below on a tie: in
 * `KEY, SECRET, PASSPHRASE` blocks one after another, a key's own passphrase, not the block above's.
 */
function nearestTo<T extends { line: number }>(
  items: readonly T[],
  findings: readonly Finding[],
): T | undefined {
  const lines = findings.map((finding) => finding.line);
  const [top, bottom] = [Math.min(...lines), Math.max(...lines)];
  const distance = (line: number) => (line < top ? top - line : line > bottom ? line - bottom : 0);
  let best: T | undefined;
  for (const item of items) {
    const bestDistance = best === undefined ? Number.POSITIVE_INFINITY : distance(best.line);
    const itemDistance = distance(item.line);
    if (itemDistance < bestDistance || (itemDistance === bestDistance && item.line > bottom)) {
      best = item;
    }
  }
  return best;
}

/**
 * Pairs `findings` into credentials (see the module comment). Returns the candidates and, for the
 * findings no candidate holds, why.
 */
export function pairFindings(
  findings: readonly Finding[],
  found: FoundValues,
): { candidates: Candidate[]; unpaired: Map<Finding, string> } {
  const unpaired = new Map<Finding, string>();
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    if (finding.rule === 'configured-value') {
      unpaired.set(finding, 'a value of the store in use: check it with exkeys verify');
    } else if (finding.rule === 'private-key' || finding.rule.endsWith('-private-key')) {
      unpaired.set(finding, 'a PEM private key is not verified: it needs its API key');
    } else if (!(isKeyRule(finding) || isSecretRule(finding) || isEitherRule(finding))) {
      unpaired.set(finding, `--verify does not pair ${finding.rule} findings`);
    } else if (found.valueOf(finding) === undefined) {
      unpaired.set(finding, 'its value was not kept');
    } else {
      const id = `${placeOf(finding)}\0${finding.exchange}`;
      groups.set(id, [...(groups.get(id) ?? []), finding]);
    }
  }
  const candidates: Candidate[] = [];
  for (const group of groups.values()) {
    const first = group[0] as Finding;
    const exchange = first.exchange;
    const facts = EXCHANGES[exchange as keyof typeof EXCHANGES];
    const pairs: Array<{ findings: Finding[]; orders: Array<[string, string]> }> = [];
    const value = (finding: Finding) => found.valueOf(finding) as string;
    const either = group.filter(isEitherRule).sort((a, b) => a.line - b.line);
    for (let at = 0; at + 1 < either.length; at += 2) {
      const [a, b] = [either[at] as Finding, either[at + 1] as Finding];
      pairs.push({
        findings: [a, b],
        orders: [
          [value(a), value(b)],
          [value(b), value(a)],
        ],
      });
    }
    if (either.length % 2 === 1) {
      unpaired.set(
        either.at(-1) as Finding,
        `no second ${exchange} key or secret in the same file`,
      );
    }
    const secrets = group.filter(isSecretRule);
    const used = new Set<Finding>();
    for (const key of group.filter(isKeyRule)) {
      const secret = nearest(secrets, key.line);
      if (secret === undefined) {
        unpaired.set(key, `no ${exchange} secret in the same file`);
        continue;
      }
      used.add(secret);
      pairs.push({
        findings: [key, secret],
        orders: [[value(key), value(secret)]],
      });
    }
    for (const secret of secrets) {
      if (!used.has(secret)) unpaired.set(secret, `no ${exchange} key in the same file`);
    }
    for (const pair of pairs) {
      const lines = pair.findings.map((finding) => finding.line).join(' and ');
      if (facts?.passphrase === undefined) {
        candidates.push({ exchange, ...pair, paired: `lines ${lines}` });
        continue;
      }
      const passphrase = nearestTo(found.passphrasesIn(first), pair.findings);
      if (passphrase === undefined) {
        for (const finding of pair.findings) {
          unpaired.set(finding, `no ${exchange} passphrase assignment in the same file`);
        }
        continue;
      }
      candidates.push({
        exchange,
        ...pair,
        passphrase: passphrase.value,
        paired: `lines ${lines}, passphrase on line ${passphrase.line}`,
      });
    }
  }
  return { candidates, unpaired };
}

/** The loud warning printed on stderr before anything is sent. */
export function verifyWarning(exchanges: readonly string[], endpoint: EndpointOptions): string {
  const targets = exchanges.map((exchange) => `${exchange} → ${verifyHost(exchange, endpoint)}`);
  return [
    '⚠ WARNING: --verify sends the credentials found to their exchange, signed with the found secret:',
    `  ${targets.join(', ')}.`,
    '  Only read-only calls are made (what can this key do?). A leaked key must be rotated whatever the answer.',
  ].join('\n');
}

/** The reasons a verifier gives for a credential that does not work. */
const INVALID_REASONS = new Set(['invalid-key', 'bad-signature', 'wrong-passphrase', 'expired']);

function rankOf(result: {
  report?: { permissions: { trade: boolean; withdraw: boolean } };
  error?: { code: string; reason?: string };
}): { rank: VerificationRank; why?: string } {
  if (result.report !== undefined) {
    const { permissions } = result.report;
    return {
      rank: permissions.withdraw ? 'can-withdraw' : permissions.trade ? 'can-trade' : 'valid',
    };
  }
  const reason = result.error?.reason ?? result.error?.code ?? 'unknown';
  if (result.error?.code === 'key-verification' && INVALID_REASONS.has(reason)) {
    return { rank: 'invalid', why: `the exchange refused it (${reason})` };
  }
  return { rank: 'unverifiable', why: `verification failed (${reason})` };
}

/** Which result of several orders counts: the first that worked, else the most telling failure. */
const RANK_ORDER: readonly VerificationRank[] = [
  'can-withdraw',
  'can-trade',
  'valid',
  'unverifiable',
  'invalid',
];

function best(results: ReadonlyArray<{ rank: VerificationRank; why?: string }>): {
  rank: VerificationRank;
  why?: string;
} {
  return (
    [...results].sort((a, b) => RANK_ORDER.indexOf(a.rank) - RANK_ORDER.indexOf(b.rank))[0] ?? {
      rank: 'unverifiable',
      why: 'nothing was sent',
    }
  );
}

/** The exchanges {@link verifyFindings} will send credentials to (those exkeys can verify). */
export function verifyTargets(candidates: readonly Candidate[]): string[] {
  return [...new Set(candidates.map((candidate) => candidate.exchange))].filter((exchange) =>
    VERIFIABLE_EXCHANGES.includes(exchange),
  );
}

/**
 * Verifies `candidates` live (each distinct credential once, all concurrently) and sets
 * `verification` on every finding of `findings`. Sends nothing for findings in `unpaired`.
 */
export async function verifyFindings(
  candidates: readonly Candidate[],
  unpaired: ReadonlyMap<Finding, string>,
  endpoint: EndpointOptions,
): Promise<void> {
  const env: Record<string, string> = {};
  const pairs: Array<{ exchange: string; profile: string }> = [];
  const profiles = new Map<string, string>();
  const profileOf = (candidate: Candidate, [key, secret]: [string, string]): string => {
    const id = [candidate.exchange, key, secret, candidate.passphrase ?? ''].join('\0');
    let profile = profiles.get(id);
    if (profile === undefined) {
      profile = `SCAN${profiles.size + 1}`;
      profiles.set(id, profile);
      const prefix = `${candidate.exchange.toUpperCase()}_${profile}_API_`;
      env[`${prefix}KEY`] = key;
      env[`${prefix}SECRET`] = secret;
      if (candidate.passphrase !== undefined) env[`${prefix}PASSPHRASE`] = candidate.passphrase;
      pairs.push({ exchange: candidate.exchange, profile });
    }
    return profile;
  };
  const plan = candidates.map((candidate) =>
    VERIFIABLE_EXCHANGES.includes(candidate.exchange)
      ? candidate.orders.map((order) => profileOf(candidate, order))
      : [],
  );
  const results = await verifyMany(env, pairs, endpoint, { purpose: 'trade' });
  const byProfile = new Map(
    results.map((result) => [`${result.exchange}/${result.profile}`, result]),
  );
  candidates.forEach((candidate, at) => {
    const profilesTried = plan[at] ?? [];
    const outcome =
      profilesTried.length === 0
        ? {
            rank: 'unverifiable' as const,
            why: `exkeys cannot verify ${candidate.exchange} keys live`,
          }
        : best(
            profilesTried.map((profile) => {
              const result = byProfile.get(`${candidate.exchange}/${profile}`);
              return result === undefined
                ? { rank: 'unverifiable' as const, why: 'no answer' }
                : rankOf(result);
            }),
          );
    const verification: FindingVerification = {
      rank: outcome.rank,
      reason:
        outcome.why === undefined
          ? `paired with ${candidate.paired}`
          : `${outcome.why}; paired ${candidate.paired}`,
    };
    // A finding paired in several candidates (one secret near two keys) keeps its best rank.
    for (const finding of candidate.findings) {
      const known = finding.verification;
      if (
        known === undefined ||
        RANK_ORDER.indexOf(verification.rank) < RANK_ORDER.indexOf(known.rank)
      ) {
        finding.verification = verification;
      }
    }
  });
  for (const [finding, reason] of unpaired) {
    finding.verification = { rank: 'unverifiable', reason };
  }
}
