import type { Retell } from 'retell-sdk';

type Voice = Retell.VoiceResponse;

const PREVIEW_BASE = 'https://retell-utils-public.s3.us-west-2.amazonaws.com';

function voice(
  voice_id: string,
  provider: Voice['provider'],
  gender: Voice['gender'],
  accent: string,
  age: string,
): Voice {
  const voice_name = voice_id.slice(voice_id.indexOf('-') + 1);
  return { voice_id, voice_name, provider, gender, accent, age, preview_audio_url: `${PREVIEW_BASE}/${voice_id.toLowerCase()}.mp3` };
}

/** The voices every workspace sees, in the id style Retell uses (`<provider prefix>-<name>`). */
export const VOICES: readonly Voice[] = [
  voice('11labs-Adrian', 'elevenlabs', 'male', 'American', 'Young'),
  voice('11labs-Myra', 'elevenlabs', 'female', 'American', 'Young'),
  voice('11labs-Anthony', 'elevenlabs', 'male', 'British', 'Middle Aged'),
  voice('11labs-Dorothy', 'elevenlabs', 'female', 'British', 'Young'),
  voice('11labs-Amritanshu', 'elevenlabs', 'male', 'Indian', 'Middle Aged'),
  voice('11labs-Grace', 'elevenlabs', 'female', 'American', 'Middle Aged'),
  voice('openai-Alloy', 'openai', 'female', 'American', 'Young'),
  voice('openai-Echo', 'openai', 'male', 'American', 'Young'),
  voice('openai-Fable', 'openai', 'male', 'British', 'Middle Aged'),
  voice('openai-Nova', 'openai', 'female', 'American', 'Young'),
  voice('openai-Onyx', 'openai', 'male', 'American', 'Middle Aged'),
  voice('openai-Shimmer', 'openai', 'female', 'American', 'Middle Aged'),
  voice('cartesia-Cimo', 'cartesia', 'male', 'American', 'Young'),
  voice('cartesia-Cleo', 'cartesia', 'female', 'American', 'Young'),
  voice('cartesia-Emily', 'cartesia', 'female', 'Australian', 'Young'),
  voice('cartesia-Hailey', 'cartesia', 'female', 'American', 'Young'),
  voice('minimax-Max', 'minimax', 'male', 'American', 'Middle Aged'),
  voice('minimax-Chloe', 'minimax', 'female', 'American', 'Young'),
  voice('minimax-Cimo', 'minimax', 'male', 'American', 'Young'),
  voice('retell-Cimo', 'platform', 'male', 'American', 'Young'),
  voice('retell-Andrea', 'platform', 'female', 'Spanish', 'Young'),
];

const VOICES_BY_ID: ReadonlyMap<string, Voice> = new Map(VOICES.map((v) => [v.voice_id, v]));

export const findVoice = (voiceId: string): Voice | undefined => VOICES_BY_ID.get(voiceId);
