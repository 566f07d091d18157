import { ApiProperty } from '@nestjs/swagger';
import { RETELL_MODES, type RetellMode } from '../config/retell.config.js';

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'degraded'], example: 'ok' })
  status: 'ok' | 'degraded';
  @ApiProperty({ enum: ['up', 'down'], example: 'up', description: 'Whether the database answered.' })
  database: 'up' | 'down';
  /** Where the app's Retell traffic goes: retell (Retell itself) or emulator (local emulator, no real calls). */
  @ApiProperty({ enum: RETELL_MODES, example: 'retell' })
  retell: RetellMode;
}
