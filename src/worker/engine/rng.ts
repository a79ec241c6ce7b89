/** The engine's seeded random numbers live in shared (the data layer samples with them too). */
export * from '../../shared/rng';
