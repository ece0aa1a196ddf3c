import type { Request, Response } from 'express';
import { AppError } from '../errors';

/** Largest raw body a route takes unless it says otherwise. */
export const RAW_BODY_LIMIT = 200 * 1024 * 1024;

export class BodyTooLargeError extends AppError {
  constructor(limit: number) {
    super(413, 'too_large', `The request body is larger than ${Math.round(limit / 1024 / 1024)} MB`);
  }
}

/**
 * The request body as a stream of chunks, for a route that reads it itself (an upload) once the
 * caller has been authenticated and authorised. Nothing is buffered here: each chunk goes on as
 * it arrives, and a body past `limit` (announced or actual) fails with 413.
 */
export async function* requestBody(req: Request, limit: number): AsyncGenerator<Buffer> {
  const announced = Number(req.headers['content-length']);
  if (Number.isFinite(announced) && announced > limit) throw new BodyTooLargeError(limit);
  let received = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > limit) throw new BodyTooLargeError(limit);
    yield chunk;
  }
}

/**
 * An error answered before the body arrived (401, 403, 413, 422 on the query) closes the connection,
 * so the rest of an unwanted upload is neither read nor kept: Node would otherwise read it to the
 * end to reuse the connection.
 */
export function closeUnreadBody(req: Request, res: Response): void {
  if (!req.complete && !res.headersSent) res.setHeader('Connection', 'close');
}
