import { z } from 'zod';

/** A name the destination cannot hold, and the name it is stored under (see stored-names.ts). */
export const renameSchema = z.object({ table: z.string(), column: z.string().optional(), to: z.string() });

/** A column whose type in the destination is not its type in the source. */
export const typeMappingSchema = z.object({ table: z.string(), column: z.string(), source: z.string(), destination: z.string() });
export type TypeMapping = z.infer<typeof typeMappingSchema>;

/** What a database destination makes of the output: renamed tables and columns, and changed column types. */
export const destinationMappingSchema = z.object({
  /** The destination as text (no password). */
  target: z.string(),
  renames: z.array(renameSchema),
  types: z.array(typeMappingSchema),
  /** Columns written, for "n of m columns change type". */
  columns: z.number().int(),
});
export type DestinationMapping = z.infer<typeof destinationMappingSchema>;
