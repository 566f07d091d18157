import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiRetellErrors } from '../common/openapi/api-errors.decorator.js';
import { mapPage, PageQueryDto } from '../common/pagination/page.dto.js';
import { VoicePageDto, VoiceResponseDto } from './dto/voice-response.dto.js';
import { VoicesService } from './voices.service.js';

@ApiTags('voices')
@Controller('voices')
export class VoicesController {
  constructor(private readonly voices: VoicesService) {}

  /** Voices an agent can use, ordered by id. Retell's catalogue, cached for a few minutes. */
  @Get()
  @ApiOkResponse({ type: VoicePageDto })
  @ApiRetellErrors()
  async list(@Query() page: PageQueryDto): Promise<VoicePageDto> {
    return mapPage(await this.voices.page(page.limit, page.cursor), VoiceResponseDto.fromRetell);
  }
}
