import { IntegrationSchema, registerFormats, registerSchemas } from '@jupiterone/data-model';
import { type Entity } from '@jumpcloud-graph/domain';
import { ENTITIES } from './data-model.registry';

/** Checks entities against their `@jupiterone/data-model` class schemas and the flat-value rules. */
export interface EntityValidator {
  /** [] when valid; else one readable message per problem, e.g. "jumpcloud_user 5c2a...: /email must be array". */
  validate(entity: Entity): string[];
}

type Ajv = typeof IntegrationSchema;
type ValidateFunction = ReturnType<Ajv['compile']>;
type ValidationError = NonNullable<ValidateFunction['errors']>[number];

// The data-model depends on its own ajv 8; the workspace's top-level `ajv` is ESLint's ajv 6, so
// importing 'ajv' here would get the wrong major. The class of the data-model's own instance is
// the right one. We need our own instance for `allErrors` (one message per problem, not the first).
const AjvClass = IntegrationSchema.constructor as new (options: { strict: boolean; allErrors: boolean }) => Ajv;

// Within a oneOf/anyOf of "the value" or null, the failing null branch and the summary
// ("must match exactly one schema in oneOf") repeat what the other branch already says.
function isNoise(error: ValidationError): boolean {
  if (error.keyword === 'oneOf' || error.keyword === 'anyOf') return true;
  return error.keyword === 'type' && (error.params as { type?: unknown }).type === 'null';
}

function formatError(error: ValidationError): string {
  const message = error.message ?? `fails ${error.keyword}`;
  return error.instancePath === '' ? message : `${error.instancePath} ${message}`;
}

function isPrimitive(value: unknown): boolean {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function isArrayOfOnePrimitiveType(values: readonly unknown[]): boolean {
  const first: unknown = values[0];
  if (values.length === 0) return true;
  if (first === null || !isPrimitive(first)) return false;
  const type = typeof first;
  for (const value of values) {
    if (value === null || typeof value !== type || !isPrimitive(value)) return false;
  }
  return true;
}

// docs/jupiterone.md "Property values": primitives or arrays of one primitive type; no nested objects,
// no undefined. The class schemas allow additional properties of any shape, so this is checked here.
// (Plain loops: this runs for every property of every entity.)
function flatValueProblems(entity: Entity): string[] {
  const problems: string[] = [];
  for (const name in entity) {
    if (name === '_rawData' || name === '_class') continue;
    const value: unknown = entity[name];
    if (value === undefined) {
      problems.push(`/${name} is undefined (use null)`);
    } else if (Array.isArray(value)) {
      if (!isArrayOfOnePrimitiveType(value)) problems.push(`/${name} must be an array of one primitive type`);
    } else if (!isPrimitive(value)) {
      problems.push(`/${name} must be a string, number, boolean or null`);
    }
  }
  return problems;
}

/**
 * Creates a validator with every class schema of the registry compiled once (ajv compilation is
 * slow; validation with a compiled schema is fast). Create one per run or process and reuse it; an
 * entity of a class outside the registry has its schema compiled on first use, then cached.
 */
export function createEntityValidator(): EntityValidator {
  const ajv = new AjvClass({ strict: false, allErrors: true });
  registerFormats(ajv);
  registerSchemas(ajv);
  const compiled = new Map<string, ValidateFunction | null>();
  const schemaFor = (entityClass: string): ValidateFunction | null => {
    let validate = compiled.get(entityClass);
    if (validate === undefined) {
      validate = ajv.getSchema(`#${entityClass}`) ?? null;
      compiled.set(entityClass, validate);
    }
    return validate;
  };
  for (const definition of ENTITIES) definition._class.forEach(schemaFor);

  return {
    validate(entity: Entity): string[] {
      const problems = new Set<string>();
      const classes: unknown = entity._class;
      for (const entityClass of Array.isArray(classes) ? classes : [classes]) {
        const validate = typeof entityClass === 'string' ? schemaFor(entityClass) : null;
        if (validate === null) {
          problems.add(`unknown class ${JSON.stringify(entityClass)}`);
          continue;
        }
        if (validate(entity)) continue;
        const errors = validate.errors ?? [];
        const meaningful = errors.filter((error) => !isNoise(error));
        for (const error of meaningful.length > 0 ? meaningful : errors) problems.add(formatError(error));
      }
      for (const problem of flatValueProblems(entity)) problems.add(problem);
      return [...problems].map((problem) => `${String(entity._type)} ${String(entity._key)}: ${problem}`);
    },
  };
}
