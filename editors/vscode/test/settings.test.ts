// contributes.configuration: a sane schema for every setting, and the client/server split.
// (tests/unit/lsp/test_vscode_settings.py checks it is identical to the server's json_schema().)
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { SettingSchema, serverSettingNames, serverSettings, stripClientOnly } from '../src/settings';
import { readPackageJson } from './helpers';

const properties = readPackageJson().contributes.configuration.properties;

function types(schema: SettingSchema): string[] {
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'array':
      return Array.isArray(value);
    default:
      return typeof value === type;
  }
}

test('every setting is electraLsp.* with a type, a description and a valid default', () => {
  const names = Object.keys(properties);
  assert.ok(names.length >= 10, `only ${names.length} settings contributed`);
  for (const [name, schema] of Object.entries(properties)) {
    assert.match(name, /^electraLsp\.[a-z][A-Za-z]*(\.[a-z][A-Za-z]*)?$/, name);
    assert.ok(schema.description.length > 10, `${name}: description missing`);
    const allowed = types(schema);
    for (const type of allowed) {
      assert.ok(
        ['string', 'number', 'integer', 'boolean', 'array', 'null'].includes(type),
        `${name}: unknown type ${type}`,
      );
    }
    assert.ok(
      allowed.some((type) => hasType(schema.default, type)),
      `${name}: default ${JSON.stringify(schema.default)} is not ${allowed.join('|')}`,
    );
    if (schema.enum !== undefined) {
      assert.ok(schema.enum.includes(schema.default as string), `${name}: default not in enum`);
    }
    if (typeof schema.default === 'number') {
      assert.ok(schema.minimum === undefined || schema.default >= schema.minimum, `${name} < min`);
      assert.ok(schema.maximum === undefined || schema.default <= schema.maximum, `${name} > max`);
    }
    if (allowed.includes('array')) {
      assert.deepEqual(schema.items, { type: 'string' }, `${name}: items`);
      assert.ok((schema.default as unknown[]).every((item) => typeof item === 'string'));
    }
  }
});

test('the server settings the extension sends include the core ones and no client-only ones', () => {
  const names = serverSettingNames(properties);
  for (const name of ['threshold', 'topK', 'severity', 'fileTypes', 'debounceMs', 'discriminator']) {
    assert.ok(names.includes(name), `server setting ${name} missing from package.json`);
  }
  assert.ok(!names.some((name) => name.startsWith('server') || name.startsWith('trace')));
  assert.equal(names.length, Object.keys(properties).length - 3);
});

test('client-only settings: server command and trace', () => {
  const path = properties['electraLsp.server.path'];
  const args = properties['electraLsp.server.args'];
  assert.equal(path.default, 'electra-lsp');
  assert.deepEqual(args.default, []);
  // A workspace must not choose the program VS Code runs.
  assert.equal(path.scope, 'machine');
  assert.equal(args.scope, 'machine');
  assert.deepEqual(properties['electraLsp.trace.server'].enum, ['off', 'messages', 'verbose']);
});

test('serverSettings reads each name once and keeps null (= server default)', () => {
  const values: Record<string, unknown> = { threshold: 0.7, discriminator: null };
  const seen: string[] = [];
  const settings = serverSettings(['threshold', 'discriminator', 'topK'], (name) => {
    seen.push(name);
    return values[name];
  });
  assert.deepEqual(settings, { threshold: 0.7, discriminator: null });
  assert.deepEqual(seen, ['threshold', 'discriminator', 'topK']);
});

test('stripClientOnly removes server/trace from a section and leaves other values alone', () => {
  const section = { threshold: 0.5, server: { path: 'x', args: [] }, trace: { server: 'off' } };
  assert.deepEqual(stripClientOnly(section), { threshold: 0.5 });
  assert.equal(stripClientOnly(null), null);
  assert.deepEqual(stripClientOnly([1]), [1]);
  assert.ok('server' in section, 'input must not be modified');
});
