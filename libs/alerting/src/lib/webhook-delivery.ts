import { createHmac, randomUUID } from 'node:crypto';
import {
  checkSecretUrl,
  createRequestFetch,
  failureReason,
  InsecureUrlError,
  isLoopbackHost,
  retryDelay,
  type RetryOptions,
  sleep as abortableSleep,
  untilAborted,
} from '@jumpcloud-graph/http-retry';
import { type Finding, type RuleSummary, type WebhookAction } from './finding';

/** Why a webhook URL is refused; the message is one line and never echoes the URL's path or credentials. */
export class WebhookUrlError extends Error {
  override readonly name = 'WebhookUrlError';
}

/**
 * Checks a webhook URL and returns it parsed: https, or http to a loopback host (a local
 * receiver), never credentials in the URL. Throws `WebhookUrlError` otherwise.
 *
 * The rule is http-retry's `checkSecretUrl` (the signature and the findings deserve the same care
 * as an API key); only the wording is the webhook's own, since no API key is involved here.
 */
export function checkWebhookUrl(url: string): URL {
  try {
    return checkSecretUrl(url, { what: 'the webhook URL' });
  } catch (error) {
    if (!(error instanceof InsecureUrlError)) throw error;
    throw new WebhookUrlError(webhookUrlMessage(url, error.message), { cause: error });
  }
}

// checkSecretUrl's messages speak of an API key in a header and of an opt-in to insecure http;
// neither applies to a webhook, so those two cases are reworded (the others read right as they are).
function webhookUrlMessage(raw: string, original: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return original;
  }
  if (url.username !== '' || url.password !== '') {
    return 'the webhook URL must not carry credentials (user:password@): they would end up in logs; sign deliveries with a secret instead';
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return `the webhook URL is http:// to ${url.host}, which is not loopback: findings would travel unencrypted; use https`;
  }
  return original;
}

/** One request's worth of a delivery: the exact body sent, and the findings it carries. */
export interface WebhookBody {
  body: string;
  findingIds: string[];
}

/** What `webhookBodies` turns into request bodies. */
export interface WebhookBodiesInput {
  rule: RuleSummary;
  format: 'json' | 'slack';
  findings: Finding[];
  /** The JumpCloud instance (org) the run was about, when known. */
  instance: string | null;
  runId: number;
}

/** Findings per `json` body: small enough for any receiver's body limit, few requests for a big diff. */
const JSON_PART_SIZE = 50;

/**
 * The request bodies for a delivery; pure. No findings, no bodies.
 *
 * - `json`: one body per part of at most 50 findings, `part` counting from 1 to `parts`.
 * - `slack`: one body in Slack's incoming-webhook shape, listing at most 50 findings.
 */
export function webhookBodies(input: WebhookBodiesInput): WebhookBody[] {
  if (input.findings.length === 0) return [];
  if (input.format === 'slack') {
    return [{ body: JSON.stringify(slackMessage(input)), findingIds: input.findings.map((f) => f.id) }];
  }
  const parts: Finding[][] = [];
  for (let i = 0; i < input.findings.length; i += JSON_PART_SIZE) parts.push(input.findings.slice(i, i + JSON_PART_SIZE));
  return parts.map((part, index) => ({
    // Keys are spelled out in order: receivers and their tests see the same bytes every time.
    body: JSON.stringify({
      rule: { id: input.rule.id, name: input.rule.name, severity: input.rule.severity },
      instance: input.instance,
      runId: input.runId,
      findings: part.map(jsonFinding),
      part: index + 1,
      parts: parts.length,
    }),
    findingIds: part.map((f) => f.id),
  }));
}

function jsonFinding(finding: Finding): Record<string, unknown> {
  const { _type, _key, name, webLink } = finding.object;
  const entry: Record<string, unknown> = { id: finding.id, kind: finding.kind, object: { _type, _key, name, webLink } };
  if (finding.kind === 'updated') entry.changes = finding.changes ?? {};
  return entry;
}

// Slack's limits (Block Kit): 50 blocks a message, 3000 characters a section's text.
const SLACK_MAX_BLOCKS = 50;
const SLACK_MAX_SECTION_CHARS = 3000;
const SLACK_MAX_LISTED = 50;
// One finding's line stays well under a section, so packing never has to split a line; and 50
// such lines keep the whole message a size Slack shows rather than truncates.
const SLACK_MAX_LINE_CHARS = 1000;

interface SlackText {
  type: 'mrkdwn';
  text: string;
}
interface SlackBlock {
  type: 'section';
  text: SlackText;
}
interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function slackMessage(input: WebhookBodiesInput): SlackMessage {
  const { rule, findings } = input;
  const count = plural(findings.length, 'finding');
  const context = [`rule \`${slackEscape(rule.id.replace(/`/g, ''), 200)}\``];
  if (input.instance !== null) context.push(`instance \`${slackEscape(input.instance.replace(/`/g, ''), 200)}\``);
  context.push(`run ${input.runId}`);
  const blocks: SlackBlock[] = [
    section(`*${rule.severity}* ${slackEscape(oneLine(rule.name), 500)}\n${count} · ${context.join(' · ')}`),
  ];

  // One block is kept for the "and N more" line, so the message never passes Slack's block limit.
  const maxListSections = SLACK_MAX_BLOCKS - blocks.length - 1;
  let listSections = 0;
  let current: string[] = [];
  let currentChars = 0;
  let listed = 0;
  for (const finding of findings.slice(0, SLACK_MAX_LISTED)) {
    const line = slackLine(finding);
    const added = current.length === 0 ? line.length : line.length + 1;
    if (currentChars + added > SLACK_MAX_SECTION_CHARS) {
      if (listSections + 1 >= maxListSections) break;
      blocks.push(section(current.join('\n')));
      listSections += 1;
      current = [];
      currentChars = 0;
    }
    currentChars += current.length === 0 ? line.length : line.length + 1;
    current.push(line);
    listed += 1;
  }
  if (current.length > 0) blocks.push(section(current.join('\n')));
  if (listed < findings.length) blocks.push(section(`and ${findings.length - listed} more`));

  return { text: `${rule.severity} ${slackEscape(oneLine(rule.name), 500)}: ${count}`, blocks };
}

function section(text: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

const KIND_WORDS: Record<Finding['kind'], string> = { created: 'created', updated: 'updated', deleted: 'deleted', result: 'result' };

/** `• <webLink|name> (`_type`) updated: jobTitle: "A" → "B"`, escaped and at most SLACK_MAX_LINE_CHARS long. */
function slackLine(finding: Finding): string {
  const { object } = finding;
  const label = slackEscape(oneLine(object.name ?? object._key), 150);
  const link = slackLink(object.webLink);
  const subject = link === undefined ? label : `<${link}|${label}>`;
  let line = `• ${subject} (\`${slackEscape(object._type.replace(/`/g, ''), 80)}\`) ${KIND_WORDS[finding.kind]}`;
  if (finding.kind !== 'updated' || finding.changes === undefined) return line;

  const pieces = Object.entries(finding.changes).map(([property, change]) => {
    const name = slackEscape(oneLine(property), 60);
    // `_rawData` comes without values: naming it says the raw payload changed.
    if (!('from' in change) && !('to' in change)) return name;
    return `${name}: ${slackEscape(valueText(change.from), 100)} → ${slackEscape(valueText(change.to), 100)}`;
  });
  // Room for "; and N more changes" when not every piece fits.
  const budget = SLACK_MAX_LINE_CHARS - 30;
  let shown = 0;
  for (const piece of pieces) {
    const next = `${line}${shown === 0 ? ': ' : '; '}${piece}`;
    if (next.length > budget) break;
    line = next;
    shown += 1;
  }
  if (shown < pieces.length) line += `${shown === 0 ? ': ' : '; '}and ${plural(pieces.length - shown, 'more change')}`;
  return line;
}

/** The link target for Slack, or undefined when the object has no http(s) page or its address is too long to show. */
function slackLink(webLink: string | null): string | undefined {
  if (webLink === null || !/^https?:\/\//i.test(webLink)) return undefined;
  // `|` ends the target in Slack's link syntax; percent-encoded it still reaches the same page.
  const target = slackEscape(webLink.replace(/\|/g, '%7C'));
  return target.length > 400 ? undefined : target;
}

function valueText(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Escapes `&`, `<`, `>` as Slack requires of any text it should not read as markup (so a name
 * from the graph cannot become a link or an @channel), cut to `maxChars` with an ellipsis. The cut
 * never splits an escape or a surrogate pair.
 */
function slackEscape(text: string, maxChars = Number.POSITIVE_INFINITY): string {
  let out = '';
  // Where to cut if the text turns out too long: before the first piece that leaves no room for the ellipsis.
  let cut = -1;
  for (const char of text) {
    const piece = char === '&' ? '&amp;' : char === '<' ? '&lt;' : char === '>' ? '&gt;' : char;
    if (cut < 0 && out.length + piece.length > maxChars - 1) cut = out.length;
    out += piece;
    if (out.length > maxChars) return `${out.slice(0, cut)}…`;
  }
  return out;
}

/** What a delivery did. Each finding is in `delivered` or in exactly one `failed` entry. */
export interface DeliveryResult {
  /** Ids of the findings a receiver accepted (answered 2xx). */
  delivered: string[];
  /** Groups of findings that were not delivered, each with why, in one line. */
  failed: { findingIds: string[]; error: string }[];
  /** HTTP requests made, retries included. */
  attempts: number;
  /** Bodies (json parts, or the one Slack message) a receiver accepted (answered 2xx). */
  messages: number;
}

/** What `deliverWebhook` sends, where, and how hard it tries. */
export interface DeliverWebhookOptions {
  action: WebhookAction;
  /** Signs each body (`X-JumpCloud-Graph-Signature`) when given; the app resolves it from `action.secretEnv`. */
  secret?: string;
  rule: RuleSummary;
  findings: Finding[];
  instance: string | null;
  runId: number;
  /** Attempts and backoff for 429, 5xx, network errors and timeouts. */
  retry: RetryOptions;
  /** Per attempt, the answer's body included; default 10000. */
  timeoutMs?: number;
  /** Default: http-retry's `createRequestFetch()` (undici). */
  fetch?: (input: Request) => Promise<Response>;
  /** Aborting stops the delivery at once: it rejects with the signal's reason. */
  signal?: AbortSignal;
  /** For the backoff's jitter; default `Math.random`. */
  random?: () => number;
  /** Waits between attempts; default http-retry's abortable `sleep`. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Default `jumpcloud-graph-alerting`. */
  userAgent?: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_USER_AGENT = 'jumpcloud-graph-alerting';
/** Bytes of an answer read for its error text; the rest is cancelled. */
const MAX_ANSWER_BYTES = 4096;
const MAX_ERROR_DETAIL_CHARS = 200;

type AttemptOutcome =
  | { kind: 'response'; status: number; retryAfter: string | null; detail: string }
  | { kind: 'error'; reason: string };

/**
 * Posts a rule's findings to a webhook: one request per body of `webhookBodies`, each with its
 * own `X-JumpCloud-Graph-Delivery` id (kept across its retries, so a receiver can dedupe) and,
 * with a `secret`, `X-JumpCloud-Graph-Signature: sha256=<hex HMAC-SHA256 of the body>`.
 *
 * 2xx delivers; 429, 5xx, network errors and timeouts are retried up to `retry.maxAttempts`
 * (waiting the server's `Retry-After` when it gives one, else backoff with jitter); any other
 * status fails the body at once. HTTP and network failures never throw: they are in the result's
 * `failed`. A URL `checkWebhookUrl` refuses fails every finding without a request (and is
 * reported as one `failed` entry even with no findings, so a bad URL shows before it costs an
 * alert). No findings and a good URL: nothing is sent. Only an abort of `signal` rejects.
 */
export async function deliverWebhook(options: DeliverWebhookOptions): Promise<DeliveryResult> {
  const result: DeliveryResult = { delivered: [], failed: [], attempts: 0, messages: 0 };
  options.signal?.throwIfAborted();
  let url: URL;
  try {
    url = checkWebhookUrl(options.action.url);
  } catch (error) {
    if (!(error instanceof WebhookUrlError)) throw error;
    result.failed.push({ findingIds: options.findings.map((f) => f.id), error: error.message });
    return result;
  }

  const bodies = webhookBodies({
    rule: options.rule,
    format: options.action.format,
    findings: options.findings,
    instance: options.instance,
    runId: options.runId,
  });
  const fetch = options.fetch ?? createRequestFetch();
  for (const body of bodies) {
    const outcome = await deliverBody(url, body.body, fetch, options, () => (result.attempts += 1));
    if (outcome === undefined) {
      result.messages += 1;
      result.delivered.push(...body.findingIds);
    } else {
      result.failed.push({ findingIds: body.findingIds, error: outcome });
    }
  }
  return result;
}

/** Sends one body with its retries; undefined when delivered, else why not (one line). */
async function deliverBody(
  url: URL,
  body: string,
  fetch: (input: Request) => Promise<Response>,
  options: DeliverWebhookOptions,
  countAttempt: () => void,
): Promise<string | undefined> {
  const { retry, signal } = options;
  const wait = options.sleep ?? abortableSleep;
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': options.userAgent ?? DEFAULT_USER_AGENT,
    'X-JumpCloud-Graph-Delivery': randomUUID(),
  };
  if (options.secret !== undefined) {
    // Over the UTF-8 bytes of exactly the string sent, which is what the receiver reads back.
    headers['X-JumpCloud-Graph-Signature'] = `sha256=${createHmac('sha256', options.secret).update(body, 'utf8').digest('hex')}`;
  }

  for (let attempt = 1; ; attempt += 1) {
    signal?.throwIfAborted();
    countAttempt();
    const outcome = await attemptOnce(url, headers, body, fetch, options);
    const tries = `after ${plural(attempt, 'attempt')}`;
    if (outcome.kind === 'response') {
      const { status } = outcome;
      if (status >= 200 && status < 300) return undefined;
      const retryable = status === 429 || status >= 500;
      if (!retryable) {
        const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
        return `HTTP ${status}${redirect}${outcome.detail === '' ? '' : `: ${outcome.detail}`}`;
      }
      if (attempt >= retry.maxAttempts) return `HTTP ${status} ${tries}`;
      await wait(retryDelay(attempt, outcome.retryAfter, retry, options.random ?? Math.random), signal);
      continue;
    }
    if (attempt >= retry.maxAttempts) return `no answer ${tries}: ${outcome.reason}`;
    await wait(retryDelay(attempt, null, retry, options.random ?? Math.random), signal);
  }
}

async function attemptOnce(
  url: URL,
  headers: Record<string, string>,
  body: string,
  fetch: (input: Request) => Promise<Response>,
  options: DeliverWebhookOptions,
): Promise<AttemptOutcome> {
  const { signal } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    const request = new Request(url, { method: 'POST', headers, body, signal: combined });
    // Raced against the signal too, so a fetch that ignores it cannot outlast the timeout or an abort.
    const response = await untilAborted(fetch(request), combined, (late) => void late.body?.cancel().catch(() => undefined));
    const detail = await answerText(response, combined);
    return { kind: 'response', status: response.status, retryAfter: response.headers.get('retry-after'), detail };
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (timeout.aborted) return { kind: 'error', reason: `timed out after ${timeoutMs} ms` };
    return { kind: 'error', reason: scrubUrl(oneLine(failureReason(error).reason), url) };
  }
}

/**
 * Reads the start of an answer (so the connection can be reused, and a refusal can say why) and
 * cancels the rest. An HTML error page says nothing useful in one line, so only its status counts.
 * A body that fails mid-read is ignored: the status has already decided the outcome.
 */
async function answerText(response: Response, signal: AbortSignal): Promise<string> {
  const stream = response.body;
  if (stream === null) return '';
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < MAX_ANSWER_BYTES) {
      const { done, value } = await untilAborted(reader.read(), signal);
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } catch {
    // Reset or timed out mid-answer; handled below by cancelling.
  } finally {
    reader.cancel().catch(() => undefined);
  }
  if (/html/i.test(response.headers.get('content-type') ?? '')) return '';
  const text = oneLine(Buffer.concat(chunks).toString('utf8'));
  return text.length > MAX_ERROR_DETAIL_CHARS ? `${text.slice(0, MAX_ERROR_DETAIL_CHARS)}...` : text;
}

/**
 * A webhook URL's path is often its secret (Slack's are); an error text never carries it. Network
 * errors name the host and port only, but this does not rely on that.
 */
function scrubUrl(text: string, url: URL): string {
  let scrubbed = text.split(url.href).join(`${url.origin}/...`);
  const pathAndQuery = `${url.pathname}${url.search}`;
  if (pathAndQuery.length > 1) scrubbed = scrubbed.split(pathAndQuery).join('/...');
  return scrubbed;
}
