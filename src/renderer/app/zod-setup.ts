import { z } from 'zod';

// The page's CSP forbids eval; zod would probe for it (a CSP report in the console). Imported first.
z.config({ jitless: true });
