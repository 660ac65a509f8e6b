/**
 * Pure helpers for the upload bodies: objects are serialized once, batches are measured in
 * request-body bytes, and `_rawData` is cut when one object alone is too large to send.
 */

/** What an upload carries; also the last segment of its path. */
export type UploadKind = 'entities' | 'relationships';

/** A graph object serialized once, with what the publisher needs to know about it. */
export interface SerializedObject {
  readonly key: string;
  readonly type: string;
  /** The object's JSON. */
  readonly json: string;
  /** UTF-8 bytes of `json`. */
  readonly bytes: number;
  /** Whether its `_rawData` was already cut (so it is counted once). */
  readonly truncated: boolean;
}

export function serializeObject(object: { _key: string; _type: string }): SerializedObject {
  const json = JSON.stringify(object);
  return { key: object._key, type: object._type, json, bytes: Buffer.byteLength(json), truncated: false };
}

/** Bytes of `{"<kind>":[]}`: what a body costs around its objects. */
export function envelopeBytes(kind: UploadKind): number {
  return `{"${kind}":[]}`.length;
}

/** Bytes of the request body that carries `objects`. */
export function bodyBytes(kind: UploadKind, objects: readonly SerializedObject[]): number {
  let total = envelopeBytes(kind) + Math.max(0, objects.length - 1);
  for (const object of objects) total += object.bytes;
  return total;
}

/** The request body for `objects`, from their JSON as serialized (nothing is serialized again). */
export function requestBody(kind: UploadKind, objects: readonly SerializedObject[]): string {
  return `{"${kind}":[${objects.map((o) => o.json).join(',')}]}`;
}

/**
 * Collects objects of one kind until the next one would push the body past `limitBytes`. A first
 * object is always taken, even alone over the limit (the caller cut what it could beforehand).
 */
export class BatchAccumulator {
  private objects: SerializedObject[] = [];
  private bytes: number;

  constructor(
    readonly kind: UploadKind,
    readonly limitBytes: number,
  ) {
    this.bytes = envelopeBytes(kind);
  }

  get size(): number {
    return this.objects.length;
  }

  /** Body bytes of what is pending. */
  get bodyBytes(): number {
    return this.bytes;
  }

  /** Whether adding an object of `bytes` would make the body exceed the limit. */
  wouldOverflow(bytes: number): boolean {
    return this.objects.length > 0 && this.bytes + 1 + bytes > this.limitBytes;
  }

  add(object: SerializedObject): void {
    this.bytes += (this.objects.length > 0 ? 1 : 0) + object.bytes;
    this.objects.push(object);
  }

  /** Returns what is pending and starts an empty batch. */
  take(): SerializedObject[] {
    const taken = this.objects;
    this.objects = [];
    this.bytes = envelopeBytes(this.kind);
    return taken;
  }
}

/**
 * Cuts a whole list into batches whose bodies stay within `limitBytes` (an object alone over the
 * limit gets a batch of its own). What the session does incrementally, for tests and benchmarks.
 */
export function batchBySize(kind: UploadKind, objects: Iterable<SerializedObject>, limitBytes: number): SerializedObject[][] {
  const batches: SerializedObject[][] = [];
  const accumulator = new BatchAccumulator(kind, limitBytes);
  for (const object of objects) {
    if (accumulator.wouldOverflow(object.bytes)) batches.push(accumulator.take());
    accumulator.add(object);
  }
  if (accumulator.size > 0) batches.push(accumulator.take());
  return batches;
}

/** The two halves of a batch the server found too large (the first gets the extra object). */
export function splitBatch<T>(items: readonly T[]): [T[], T[]] {
  const middle = Math.ceil(items.length / 2);
  return [items.slice(0, middle), items.slice(middle)];
}

/** What replaces a cut `_rawData` string. */
export const TRUNCATED_MARKER = 'TRUNCATED';
/** What replaces the `rawData` of an entry that had to go whole. */
const TRUNCATED_ENTRY: Readonly<Record<string, unknown>> = { [TRUNCATED_MARKER]: true };

export interface RawDataTruncation {
  /** The object's JSON after cutting (the input when nothing changed). */
  json: string;
  bytes: number;
  /** Whether anything was cut. */
  changed: boolean;
  /** Whether `bytes` is within the target. */
  fits: boolean;
  /** `_rawData` string values replaced by the marker. */
  valuesReplaced: number;
  /** `_rawData` entries whose whole `rawData` was replaced. */
  entriesReplaced: number;
  /** Whether `_rawData` had to be removed altogether. */
  rawDataRemoved: boolean;
}

interface Slot {
  container: Record<string, unknown> | unknown[];
  key: string | number;
  saving: number;
}

const MARKER_BYTES = Buffer.byteLength(JSON.stringify(TRUNCATED_MARKER));

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Shrinks an object's `_rawData` until its JSON fits in `maxBytes`, in three stages, each only
 * if the one before was not enough: the largest string values anywhere inside `rawData` are
 * replaced by "TRUNCATED" (largest first); then whole `rawData` objects of the largest entries;
 * then `_rawData` is removed. The object's own properties are never touched: they are what the
 * graph shows, where `_rawData` is a copy of the source's answer. Key order is kept.
 */
export function truncateRawData(json: string, maxBytes: number): RawDataTruncation {
  let bytes = Buffer.byteLength(json);
  const unchanged: RawDataTruncation = {
    json,
    bytes,
    changed: false,
    fits: bytes <= maxBytes,
    valuesReplaced: 0,
    entriesReplaced: 0,
    rawDataRemoved: false,
  };
  if (bytes <= maxBytes) return unchanged;
  const object: unknown = JSON.parse(json);
  if (!isRecord(object) || !Array.isArray(object._rawData) || object._rawData.length === 0) return unchanged;
  const entries: unknown[] = object._rawData;

  // Stage 1: string values, largest first. Replacing a string changes the document by exactly
  // the difference of the two JSON strings, so the size is tracked without serializing again.
  const slots: Slot[] = [];
  for (const entry of entries) {
    if (!isRecord(entry)) continue;
    const stack: unknown[] = [entry.rawData];
    while (stack.length > 0) {
      const node = stack.pop();
      const visit = (container: Record<string, unknown> | unknown[], key: string | number, value: unknown) => {
        if (typeof value === 'string') {
          const saving = jsonBytes(value) - MARKER_BYTES;
          if (saving > 0) slots.push({ container, key, saving });
        } else if (typeof value === 'object' && value !== null) {
          stack.push(value);
        }
      };
      if (Array.isArray(node)) node.forEach((value, index) => visit(node, index, value));
      else if (isRecord(node)) for (const [key, value] of Object.entries(node)) visit(node, key, value);
    }
  }
  slots.sort((a, b) => b.saving - a.saving);
  let valuesReplaced = 0;
  for (const slot of slots) {
    if (bytes <= maxBytes) break;
    (slot.container as Record<string | number, unknown>)[slot.key] = TRUNCATED_MARKER;
    bytes -= slot.saving;
    valuesReplaced += 1;
  }

  // Stage 2: whole entries, largest first (huge arrays of numbers, thousands of small keys).
  let entriesReplaced = 0;
  if (bytes > maxBytes) {
    const markerBytes = jsonBytes(TRUNCATED_ENTRY);
    const candidates = entries
      .filter(isRecord)
      .map((entry) => ({ entry, saving: jsonBytes(entry.rawData) - markerBytes }))
      .filter((c) => c.saving > 0)
      .sort((a, b) => b.saving - a.saving);
    for (const candidate of candidates) {
      if (bytes <= maxBytes) break;
      candidate.entry.rawData = { ...TRUNCATED_ENTRY };
      bytes -= candidate.saving;
      entriesReplaced += 1;
    }
  }

  // Stage 3: many entries with nothing left in them still do not fit.
  let rawDataRemoved = false;
  if (bytes > maxBytes) {
    delete object._rawData;
    rawDataRemoved = true;
  }

  const result = JSON.stringify(object);
  bytes = Buffer.byteLength(result);
  return {
    json: result,
    bytes,
    changed: valuesReplaced > 0 || entriesReplaced > 0 || rawDataRemoved,
    fits: bytes <= maxBytes,
    valuesReplaced,
    entriesReplaced,
    rawDataRemoved,
  };
}
