import { Injectable } from '@nestjs/common';

/**
 * "Now", as one injectable provider: rules that depend on the hour (inbound routing's office hours) read it here, so a
 * test can set the hour it needs instead of waiting for it.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
