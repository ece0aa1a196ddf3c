import { expect } from 'chai';
import { describeSettings, readForm, stateFromValues, type TableSpec } from '../../base/settings/settings-form';
import { formView, placeErrors } from '../../base/settings/settings-form-view';

/** The form generated from a settings schema, without a server: every kind of property once. */
describe('base: settings form from a JSON Schema', () => {
  const schema = {
    type: 'object',
    required: ['greeting'],
    properties: {
      greeting: { type: 'string', title: 'Greeting', description: 'Said first.' },
      panel_size: { type: 'integer', minimum: 1, maximum: 50, default: 5 },
      ratio: { type: 'number' },
      enabled: { type: 'boolean', default: true },
      level: { type: 'integer', enum: [1, 2, 3] },
      opens_on: { type: 'string', format: 'date' },
      lucky_numbers: { type: 'array', items: { type: 'integer' } },
      extra: { type: 'object', properties: { a: { type: 'string' } } },
      rules: {
        type: 'array',
        maxItems: 4,
        items: {
          type: 'object',
          required: ['name'],
          properties: {
            name: { type: 'string' },
            weight: { type: 'number' },
            active: { type: 'boolean' },
            kind: { type: 'string', enum: ['a', 'b'] },
            aliases: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
  };
  const specs = describeSettings(schema);

  it('picks an input per property type', () => {
    const kinds = Object.fromEntries(specs.map((s) => [s.key, s.kind]));
    expect(kinds).to.deep.equal({
      greeting: 'text',
      panel_size: 'number',
      ratio: 'number',
      enabled: 'checkbox',
      level: 'select',
      opens_on: 'date',
      lucky_numbers: 'lines',
      extra: 'json',
      rules: 'table',
    });
    const rules = specs.find((s) => s.key === 'rules') as TableSpec;
    expect(rules.columns.map((c) => `${c.key}:${c.kind}`)).to.deep.equal(['name:text', 'weight:number', 'active:checkbox', 'kind:select', 'aliases:lines']);
    expect(specs[0]).to.include({ label: 'Greeting', hint: 'Said first.', required: true });
    expect(specs[1]).to.include({ label: 'Panel size', hint: 'Left empty: 5.', required: false });
  });

  it('converts submitted text to the schema types, dropping empty and removed rows', () => {
    const form = readForm(specs, {
      greeting: '  Hello ',
      panel_size: '12',
      ratio: '0.25',
      level: '2',
      opens_on: '2024-05-01',
      lucky_numbers: '7\r\n\r\n 13 \r\n',
      extra: '{"a": "x"}',
      'rules.0.name': 'first',
      'rules.0.weight': '1.5',
      'rules.0.active': '1',
      'rules.0.kind': 'b',
      'rules.0.aliases': 'one\ntwo',
      'rules.1.name': 'gone',
      '_remove.rules.1': '1',
      'rules.2.name': '',
      'rules.2.weight': '',
      'rules.3.name': 'last',
      'rules.3.kind': '',
    });
    expect(form.problems).to.deep.equal({});
    expect(form.value).to.deep.equal({
      greeting: 'Hello',
      panel_size: 12,
      ratio: 0.25,
      enabled: false,
      level: 2,
      opens_on: '2024-05-01',
      lucky_numbers: [7, 13],
      extra: { a: 'x' },
      rules: [
        { name: 'first', weight: 1.5, active: true, kind: 'b', aliases: ['one', 'two'] },
        { name: 'last', active: false, aliases: [] },
      ],
    });
    // Shown again: the removed row stays (ticked), the empty one is gone, rows renumbered.
    expect(form.state.tables.rules.map((r) => [r.cells.name, r.remove])).to.deep.equal([['first', false], ['gone', true], ['last', false]]);
    expect(form.rowOf.rules).to.deep.equal([0, 2]);
  });

  it('reports text that is not a number or not JSON by input name', () => {
    const form = readForm(specs, { greeting: 'x', panel_size: 'many', extra: '{oops', lucky_numbers: '1\ntwo', 'rules.0.name': 'r', 'rules.0.weight': 'heavy' });
    expect(form.problems).to.have.keys('panel_size', 'extra', 'lucky_numbers', 'rules.0.weight');
    expect(form.problems.panel_size).to.equal('must be a number');
    expect(form.problems.lucky_numbers).to.equal('line 2 must be a number');
    expect(form.problems.extra).to.match(/^is not valid JSON/);
    expect(form.state.inputs.panel_size).to.equal('many');
  });

  it('places dotted error paths on the inputs, mapping items back to the rows shown', () => {
    const placed = placeErrors(
      specs,
      {
        greeting: 'is required',
        'rules.1.name': 'must match pattern',
        'rules.0.aliases.1': 'must be string',
        'rules.1': 'must be object',
        rules: 'must NOT have more than 4 items',
        'lucky_numbers.2': 'must be integer',
        'extra.a': 'must be string',
        unknown_thing: 'is not a known field',
      },
      { rules: [0, 2] },
    );
    expect(placed.fields).to.deep.equal({
      greeting: 'is required',
      'rules.2.name': 'must match pattern',
      'rules.0.aliases': 'line 2 must be string',
      rules: 'row 3 must be object; must NOT have more than 4 items',
      lucky_numbers: 'line 3 must be integer',
      extra: 'a must be string',
    });
    expect(placed.other).to.deep.equal(['unknown_thing is not a known field']);
  });

  it('shows stored values with blank rows up to maxItems', () => {
    const values = { greeting: 'Hi', panel_size: 5, enabled: true, lucky_numbers: [1, 2], extra: { a: 'b' }, rules: [{ name: 'r', aliases: ['x'] }, { name: 's' }] };
    const view = formView(specs, stateFromValues(specs, values), { 'rules.1.name': 'bad' });
    const byName = Object.fromEntries(view.map((f) => [f.name, f]));
    expect(byName.greeting).to.include({ type: 'text', value: 'Hi', required: true });
    expect(byName.panel_size).to.include({ type: 'number', value: '5', min: '1', max: '50', step: '1' });
    expect(byName.ratio).to.include({ step: 'any', value: '' });
    expect(byName.enabled).to.include({ type: 'checkbox', value: true });
    expect(byName.lucky_numbers).to.include({ type: 'textarea', value: '1\n2' });
    expect(byName.extra).to.include({ type: 'textarea', value: '{\n  "a": "b"\n}' });
    const rules = byName.rules;
    if (!rules.isTable) throw new Error('rules should be a table');
    // Two items and maxItems 4: two blank rows.
    expect(rules.rows.map((r) => r.isNew)).to.deep.equal([false, false, true, true]);
    expect(rules.rows[1].cells[0]).to.include({ name: 'rules.1.name', value: 's', error: 'bad', label: 'Name, row 2' });
    expect(rules.rows[0].cells[4]).to.include({ name: 'rules.0.aliases', value: 'x' });
    expect(rules.columns[0]).to.include({ label: 'Name', required: true });
  });
});
