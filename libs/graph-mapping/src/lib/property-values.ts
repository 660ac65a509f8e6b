import { type Entity, type PropertyValue, type RawObject } from '@jumpcloud-graph/domain';
import { type MappingContext } from './mapping-context';
import { type EntityDefinition } from './data-model.registry';
import { type RawDataKind, scrubRawData } from './raw-data.scrubber';

/** ISO 8601 (as JumpCloud sends timestamps) to epoch milliseconds; null when absent or unparsable. */
export function toEpochMs(iso: string | null | undefined): number | null {
  if (iso === null || iso === undefined || iso.trim() === '') return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

/** The value when it has visible characters, else null (JumpCloud sends '' for "not set"). */
export function nonBlank(value: string | null | undefined): string | null {
  return value === null || value === undefined || value.trim() === '' ? null : value;
}

/**
 * Marks a property the data-model types without null (e.g. Entity `createdOn: number`,
 * `description: string`, `active: boolean`): when JumpCloud has no value the property is left out,
 * because null would fail validation. `buildEntity` drops these, so no entity carries `undefined`.
 */
export function omitWhenNull<T extends PropertyValue>(value: T | null): T | undefined {
  return value === null ? undefined : value;
}

/** A URL path segment for a JumpCloud id (ids are hex; encoding keeps webLink a valid URI regardless). */
export function idSegment(id: string): string {
  return encodeURIComponent(id);
}

export interface EntityInput {
  definition: EntityDefinition;
  key: string;
  rawKind: RawDataKind;
  raw: RawObject;
  ctx: MappingContext;
  /** `undefined` (see omitWhenNull) means: leave the property out. */
  properties: Record<string, PropertyValue | undefined>;
}

/** The parts every JumpCloud entity shares: key, type, classes, scrubbed `_rawData`, account tag. */
export function buildEntity(input: EntityInput): Entity {
  const entity: Entity = {
    _key: input.key,
    _type: input.definition._type,
    // A copy, so a caller that edits an entity cannot edit the registry.
    _class: [...input.definition._class],
  };
  for (const name in input.properties) {
    const value = input.properties[name];
    if (value !== undefined) entity[name] = value;
  }
  if (input.ctx.tagAccountName) entity['tag.AccountName'] = input.ctx.accountName;
  entity._rawData = [
    { name: 'default', rawData: scrubRawData(input.rawKind, input.raw, { includeSshKeys: input.ctx.includeSshKeys }) },
  ];
  return entity;
}
