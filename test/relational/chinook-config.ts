import type { SynthesisConfig } from '../../src/shared/config';

/** Chinook's sales: Customer → Invoice → InvoiceLine synthesized; catalogue and staff kept as original data. */
export function chinookSalesConfig(config: SynthesisConfig): SynthesisConfig {
  const c = structuredClone(config);
  for (const t of ['Employee', 'Track', 'Album', 'Artist', 'Genre', 'MediaType']) c.tables[t]!.treatment = 'original';
  for (const t of ['Playlist', 'PlaylistTrack']) c.tables[t]!.treatment = 'exclude';
  // Where customers live is learned (the default mocks it as free text); their identifying company and postcode are mocked.
  const customer = c.tables.Customer!.columns;
  for (const col of ['City', 'State', 'Country']) customer[col] = { ...customer[col]!, sdtype: 'categorical', treatment: 'synthesize' };
  for (const col of ['Company', 'PostalCode']) customer[col] = { ...customer[col]!, treatment: 'mock' };
  // An invoice's billing address and postcode are its customer's (identifying): mocked as on the customer.
  const invoice = c.tables.Invoice!.columns;
  for (const col of ['BillingAddress', 'BillingPostalCode']) invoice[col] = { ...invoice[col]!, treatment: 'mock' };
  return c;
}
