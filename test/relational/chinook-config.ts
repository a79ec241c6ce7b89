import type { SynthesisConfig } from '../../src/shared/config';

/**
 * Chinook's sales as a user sets them up: Customer → Invoice → InvoiceLine synthesized with the
 * defaults (names, addresses, cities and postcodes mocked; countries learned), the catalogue and
 * staff kept as original data, playlists left out.
 */
export function chinookSalesConfig(config: SynthesisConfig): SynthesisConfig {
  const c = structuredClone(config);
  for (const t of ['Employee', 'Track', 'Album', 'Artist', 'Genre', 'MediaType']) c.tables[t]!.treatment = 'original';
  for (const t of ['Playlist', 'PlaylistTrack']) c.tables[t]!.treatment = 'exclude';
  return c;
}
