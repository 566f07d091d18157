export interface PostCallAnalysisField {
  type: 'string' | 'enum' | 'boolean' | 'number';
  name: string;
  description: string;
  choices?: string[];
}

export interface PostCallAnalysis {
  fields: PostCallAnalysisField[];
  model?: string;
}
