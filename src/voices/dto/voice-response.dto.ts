import type Retell from 'retell-sdk';
import { PageOf } from '../../common/pagination/page.dto.js';

/** A voice an agent can speak with (Retell's catalogue). */
export class VoiceResponseDto {
  /** Use as an agent's `voiceId`. @example "11labs-Adrian" */
  voiceId: string;
  /** @example "Adrian" */
  voiceName: string;
  /** @example "elevenlabs" */
  provider: string;
  /** @example "male" */
  gender: string;
  /** @example "American" */
  accent: string | null;
  /** @example "Young" */
  age: string | null;
  /** A short sample of the voice. @example "https://retell-utils-public.s3.us-west-2.amazonaws.com/adrian.mp3" */
  previewAudioUrl: string | null;

  static fromRetell(this: void, voice: Retell.VoiceResponse): VoiceResponseDto {
    return {
      voiceId: voice.voice_id,
      voiceName: voice.voice_name,
      provider: voice.provider,
      gender: voice.gender,
      accent: voice.accent ?? null,
      age: voice.age ?? null,
      previewAudioUrl: voice.preview_audio_url ?? null,
    };
  }
}

export class VoicePageDto extends PageOf(VoiceResponseDto) {}
