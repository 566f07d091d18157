import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/auth/public.decorator.js';
import { retellConfig } from '../config/retell.config.js';
import { HealthDto } from './health.dto.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly em: EntityManager,
    @Inject(retellConfig.KEY) private readonly retellSettings: ConfigType<typeof retellConfig>,
  ) {}

  /** Liveness, database reachability and the Retell mode, for load balancers, orchestrators and people. */
  @Get()
  @Public()
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto, description: 'The database did not answer.' })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthDto> {
    const up = await this.em
      .getConnection()
      .execute('select 1')
      .then(() => true)
      .catch(() => false);
    if (!up) reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: up ? 'ok' : 'degraded', database: up ? 'up' : 'down', retell: this.retellSettings.mode };
  }
}
