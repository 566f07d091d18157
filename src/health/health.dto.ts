import { ApiProperty } from '@nestjs/swagger';

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'degraded'], example: 'ok' })
  status: 'ok' | 'degraded';
  @ApiProperty({ enum: ['up', 'down'], example: 'up', description: 'Whether the database answered.' })
  database: 'up' | 'down';
}
