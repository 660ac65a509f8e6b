/** A property value the graph accepts: a primitive, or an array of one primitive type. */
export type PrimitiveValue = string | number | boolean | null;
export type PropertyValue = PrimitiveValue | string[] | number[] | boolean[];

export interface RawData {
  name: string;
  rawData: Record<string, unknown>;
}

/** An entity as JupiterOne takes it. Properties besides the underscored ones are flat values. */
export interface Entity {
  _key: string;
  _type: string;
  _class: string[];
  _rawData?: RawData[];
  [property: string]: PropertyValue | RawData[] | undefined;
}

/** A relationship between two entities this integration emits. */
export interface Relationship {
  _key: string;
  _type: string;
  _class: string;
  _fromEntityKey: string;
  _toEntityKey: string;
  [property: string]: PropertyValue | undefined;
}

/** How JupiterOne finds (or creates) the target of a mapped relationship. */
export interface RelationshipMapping {
  relationshipDirection: 'FORWARD' | 'REVERSE';
  sourceEntityKey: string;
  targetFilterKeys: string[][];
  skipTargetCreation: boolean;
  targetEntity: Record<string, PropertyValue>;
}

/** A relationship whose target is found by JupiterOne (or the local store) from `_mapping`. */
export interface MappedRelationship {
  _key: string;
  _type: string;
  _class: string;
  _mapping: RelationshipMapping;
  [property: string]: PropertyValue | RelationshipMapping | undefined;
}

export type GraphRelationship = Relationship | MappedRelationship;

export function isMappedRelationship(relationship: GraphRelationship): relationship is MappedRelationship {
  return '_mapping' in relationship && relationship._mapping !== undefined;
}
