import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared';
import { parseOutput } from '../../src/renderer/lib/api';

describe('API answers in the renderer', () => {
  it('are parsed with the channel output schema: a wrong shape is a named error, not a cast', () => {
    expect(parseOutput('audit.verify', { ok: true, records: 3, message: 'intact' })).toEqual({ ok: true, records: 3, message: 'intact' });
    let thrown: unknown;
    try {
      parseOutput('audit.verify', { ok: 'yes', records: 3, message: 'intact' });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).message).toMatch(/audit\.verify \(ok:/);
  });
});
