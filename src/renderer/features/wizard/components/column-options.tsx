import { NumberInput, Select, Stack, TextInput, type NumberInputProps } from '@mantine/core';
import { sdtypes, type ColumnConfig } from '../../../../shared';
import { useWizard } from '../store';
import { setColumnOption, setColumnSdtype } from '../config-edit';

const mockGenerators = [
  'person.fullName',
  'person.firstName',
  'person.lastName',
  'internet.email',
  'phone.number',
  'location.streetAddress',
  'location.city',
  'location.zipCode',
  'company.name',
  'finance.iban',
  'string.uuid',
  'lorem.sentence',
];

type NumberOption = 'clipLowerQuantile' | 'clipUpperQuantile' | 'precision' | 'rareCategoryThreshold';
const quantile = { min: 0, max: 1, step: 0.01, decimalScale: 3 };

/** The options of a column's type (numeric clipping/precision, rare categories, datetime format, mock generator). */
export function ColumnOptions({ table, column, cfg }: { table: string; column: string; cfg: ColumnConfig }) {
  const update = useWizard((s) => s.update);
  const privacy = useWizard((s) => s.config?.settings.privacy);
  const o = cfg.options;
  const rareDefault = privacy?.protectRareCategories ? privacy.rareCategoryThreshold : null;
  /** A number option of the column: empty means the default. */
  const numberOption = (option: NumberOption, props: NumberInputProps) => (
    <NumberInput
      {...props}
      value={o[option] ?? ''}
      onChange={(v) => update((c) => setColumnOption(c, table, column, option, typeof v === 'number' ? v : undefined))}
    />
  );
  return (
    <Stack gap="xs" w={260}>
      <Select
        label="Type"
        data={[...sdtypes]}
        value={cfg.sdtype}
        allowDeselect={false}
        comboboxProps={{ withinPortal: false }}
        onChange={(v) => v && update((c) => setColumnSdtype(c, table, column, v as (typeof sdtypes)[number]))}
      />
      {cfg.treatment === 'mock' ? (
        <Select
          label="Fake generator"
          data={mockGenerators}
          value={o.mockGenerator ?? null}
          placeholder="Chosen from the column"
          searchable
          clearable
          comboboxProps={{ withinPortal: false }}
          onChange={(v) => update((c) => setColumnOption(c, table, column, 'mockGenerator', v ?? undefined))}
        />
      ) : null}
      {cfg.treatment === 'mock' && (cfg.sdtype === 'text' || cfg.sdtype === 'categorical') ? (
        <Select
          label="Free text"
          data={[
            { value: 'value', label: 'Mock the whole value' },
            { value: 'identifiers', label: 'Replace the identifiers inside it' },
          ]}
          value={o.freeText ?? 'value'}
          allowDeselect={false}
          comboboxProps={{ withinPortal: false }}
          onChange={(v) => update((c) => setColumnOption(c, table, column, 'freeText', v === 'identifiers' ? 'identifiers' : undefined))}
        />
      ) : null}
      {cfg.sdtype === 'numerical' || cfg.sdtype === 'datetime' ? (
        <>
          {numberOption('clipLowerQuantile', { label: 'Clip below quantile', ...quantile })}
          {numberOption('clipUpperQuantile', { label: 'Clip above quantile', ...quantile })}
        </>
      ) : null}
      {cfg.sdtype === 'numerical'
        ? numberOption('precision', { label: 'Decimal places', description: 'Empty = as in the source', min: 0, max: 12, allowDecimal: false })
        : null}
      {cfg.sdtype === 'categorical'
        ? numberOption('rareCategoryThreshold', {
            label: 'Rare category threshold',
            description:
              rareDefault === null
                ? 'Rare-category protection is off: turn it on in Synth settings › Advanced for this to apply.'
                : `Categories seen fewer times are never reproduced as themselves. Empty = the synthesis setting (${rareDefault}).`,
            placeholder: rareDefault === null ? 'off' : `${rareDefault} (default)`,
            min: 1,
            allowDecimal: false,
          })
        : null}
      {cfg.sdtype === 'datetime' ? (
        <TextInput
          label="Output format"
          placeholder="As in the source, e.g. YYYY-MM-DD"
          value={o.datetimeFormat ?? ''}
          onChange={(e) => update((c) => setColumnOption(c, table, column, 'datetimeFormat', e.currentTarget.value || undefined))}
        />
      ) : null}
    </Stack>
  );
}
