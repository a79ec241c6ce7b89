/** Redis connections to the site's queue (loaded only when a queue is used). */
import { Redis } from 'ioredis';
import { AppError } from '../../shared/errors';
import { redactRedisUrl } from './site-queue';

/** A Redis connection as BullMQ wants it (no per-request retry limit: blocking commands wait). */
export function redisConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
}

/** Fails with QUEUE_UNREACHABLE when Redis does not answer within `ms`. */
export async function pingQueue(redis: Redis, url: string, ms = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer')), ms);
      }),
    ]);
  } catch (e) {
    throw new AppError('QUEUE_UNREACHABLE', `The site queue at ${redactRedisUrl(url)} does not answer (${(e as Error).message}).`, {
      fix: 'Start Redis there (or correct the --queue URL / DOPPEL_QUEUE setting) and run again.',
    });
  } finally {
    if (timer) clearTimeout(timer);
  }
}
