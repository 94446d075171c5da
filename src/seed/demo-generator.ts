import { slugify } from '../shared/slug.js';

/**
 * Deterministic generator of demo content: a seeded PRNG and hand-written word lists, so the same
 * seed always yields the same people, course titles, outlines and prices (no faker dependency:
 * these lists read better in a catalog and generate ~10x faster).
 */

// ---------------------------------------------------------------------------------------------
// PRNG

/** Mixes two integers into a well-spread 32-bit seed (murmur3 finaliser). */
export function mixSeed(a: number, b: number): number {
  let h = (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: tiny, fast, and good enough for demo data. Not for anything secret. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** Integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick() from an empty list');
    return item;
  }

  /** Picks by weight: `[[value, weight], ...]`. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, weight] of choices) total += weight;
    let roll = this.next() * total;
    for (const [value, weight] of choices) {
      roll -= weight;
      if (roll < 0) return value;
    }
    const last = choices[choices.length - 1];
    if (!last) throw new Error('weighted() from an empty list');
    return last[0];
  }

  /** `count` distinct items, in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const copy = [...items];
    const n = Math.min(count, copy.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (copy.length - i));
      const tmp = copy[i] as T;
      copy[i] = copy[j] as T;
      copy[j] = tmp;
    }
    return copy.slice(0, n);
  }

  shuffle<T>(items: readonly T[]): T[] {
    return this.sample(items, items.length);
  }
}

// ---------------------------------------------------------------------------------------------
// People

const FIRST_NAMES: readonly string[] = (
  'Olivia Liam Emma Noah Amelia Oliver Sophia Elijah Charlotte Mateo Ava Lucas Isabella Levi Mia ' +
  'Leo Harper Ezra Evelyn Luca Aisha Omar Fatima Yusuf Priya Arjun Ananya Rohan Mei Wei Hana Kenji ' +
  'Yuki Haruto Sofia Diego Valentina Santiago Camila Javier Chloé Louis Léa Hugo Lena Felix Greta ' +
  'Jonas Ingrid Lars Amara Kwame Zuri Tendai Nia Kofi Chiara Marco Giulia Alessandro Zoe Nathan ' +
  'Grace Samuel Hannah Daniel Nora Gabriel Ruby Isaac Maya Elias Layla Adam Iris Theo Clara Julian ' +
  'Alice Max Sara Ali Noor Karim Elif Emre Ana João Beatriz Tomás Freya Oscar Astrid Erik Maja ' +
  'Anton Eva Jakub Zofia Mikhail'
).split(' ');

const LAST_NAMES: readonly string[] = (
  'Smith Johnson Williams Brown Garcia Miller Davis Rodriguez Martinez Lopez Wilson Anderson ' +
  'Thomas Taylor Moore Martin Lee Thompson White Harris Clark Lewis Walker Hall Young King Wright ' +
  'Scott Green Baker Nguyen Kim Patel Singh Chen Wang Zhang Tanaka Suzuki Sato Müller Schmidt ' +
  'Schneider Fischer Weber Dubois Moreau Laurent Bernard Rossi Russo Ferrari Esposito Bianchi ' +
  'Silva Santos Oliveira Pereira Costa Almeida Hernández González Pérez Sánchez Ramírez Torres ' +
  'Flores Rivera Gómez Díaz Okafor Mensah Abara Mwangi Diallo Haddad Khan Rahman Hussain Aziz ' +
  "Johansson Andersson Nielsen Hansen Larsen Novak Kowalski Nowak Horvat Popescu O'Brien Murphy " +
  'Kelly Walsh Byrne Campbell Stewart Murray Reid Fraser'
).split(' ');

export function personName(rng: Random): string {
  return `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
}

const TIMEZONES = [
  'UTC',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Paris',
  'Europe/Madrid',
  'Europe/Warsaw',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Sao_Paulo',
  'America/Mexico_City',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Asia/Singapore',
  'Asia/Dubai',
  'Africa/Lagos',
  'Africa/Nairobi',
  'Australia/Sydney',
  'Pacific/Auckland',
] as const;

const LOCALES = [
  ['en', 10],
  ['en-GB', 3],
  ['es', 2],
  ['de', 2],
  ['fr', 2],
  ['pt-BR', 1],
  ['ja', 1],
] as const;

const STUDENT_HEADLINES = [
  'Career changer learning to code',
  'Data analyst levelling up',
  'Product designer',
  'Computer science student',
  'Lifelong learner',
  'Marketing specialist',
  'Junior backend developer',
  'Hobby musician',
  'Small business owner',
  'Project coordinator',
  'Aspiring data scientist',
  'Frontend developer',
] as const;

const STUDENT_BIOS = [
  'Learning in the evenings after work, one lesson at a time.',
  'Trying to build a portfolio before my next job search.',
  'I like courses with projects I can show to others.',
  'Picking up new skills for a team that is growing fast.',
  'Curious about everything; currently focused on a few fundamentals.',
  'Studying on my commute and on weekends.',
] as const;

export interface ProfileDraft {
  bio: string | null;
  headline: string | null;
  avatarUrl: string | null;
  timezone: string;
  locale: string;
  websiteUrl: string | null;
  socialLinks: Record<string, string>;
}

function handleOf(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

export function profileFor(
  rng: Random,
  role: 'student' | 'instructor' | 'admin',
  name: string,
): ProfileDraft {
  const handle = handleOf(name);
  const avatarUrl = rng.chance(0.8)
    ? `https://api.dicebear.com/9.x/initials/svg?seed=${encodeURIComponent(name)}`
    : null;
  const timezone = rng.pick(TIMEZONES);
  const locale = rng.weighted(LOCALES);
  if (role === 'instructor') {
    const category = rng.pick(CATEGORIES);
    const years = rng.int(5, 20);
    return {
      bio: `${name.split(' ')[0]} has spent ${years} years working in ${category.field} and now teaches ${category.name.toLowerCase()} to people who want practical, job-ready skills. Their courses favour small projects, honest trade-offs and plenty of practice.`,
      headline: `${rng.pick(category.roles)} and instructor`,
      avatarUrl,
      timezone,
      locale,
      websiteUrl: `https://${handle}.example.com`,
      socialLinks: {
        linkedin: `https://www.linkedin.com/in/${handle}`,
        ...(rng.chance(0.6) ? { github: `https://github.com/${handle}` } : {}),
        ...(rng.chance(0.4) ? { youtube: `https://www.youtube.com/@${handle}` } : {}),
      },
    };
  }
  if (role === 'admin') {
    return {
      bio: 'Runs the demo platform.',
      headline: 'Platform administrator',
      avatarUrl,
      timezone: 'UTC',
      locale: 'en',
      websiteUrl: null,
      socialLinks: {},
    };
  }
  return {
    bio: rng.chance(0.6) ? rng.pick(STUDENT_BIOS) : null,
    headline: rng.chance(0.7) ? rng.pick(STUDENT_HEADLINES) : null,
    avatarUrl,
    timezone,
    locale,
    websiteUrl: null,
    socialLinks: rng.chance(0.2) ? { github: `https://github.com/${handle}` } : {},
  };
}

// ---------------------------------------------------------------------------------------------
// Catalog vocabulary

interface Category {
  name: string;
  /** "working in <field>" in instructor bios. */
  field: string;
  roles: readonly string[];
  topics: readonly string[];
  /** Module and lesson subjects. */
  subtopics: readonly string[];
  audiences: readonly string[];
  /** What students build ("a <project>"). */
  projects: readonly string[];
  tags: readonly string[];
  weight: number;
}

export const CATEGORIES: readonly Category[] = [
  {
    name: 'Programming',
    field: 'software engineering',
    roles: ['Staff software engineer', 'Backend engineer', 'Full-stack developer', 'Engineering manager'],
    topics: [
      'TypeScript',
      'JavaScript',
      'Python',
      'Go',
      'Rust',
      'Java',
      'Kotlin',
      'SQL',
      'React',
      'Node.js',
      'Docker',
      'Kubernetes',
      'Git',
      'GraphQL',
      'System Design',
      'Web Accessibility',
      'Automated Testing',
    ],
    subtopics: [
      'Types and Data Structures',
      'Error Handling',
      'Testing',
      'Debugging',
      'Performance',
      'Tooling',
      'HTTP APIs',
      'Concurrency',
      'Project Structure',
      'Deployment',
      'Security Basics',
      'Databases',
    ],
    audiences: [
      'for Data Engineers',
      'for Backend Developers',
      'for Frontend Developers',
      'for Busy Professionals',
      'for Career Changers',
      'for Startup Teams',
    ],
    projects: [
      'task tracker API',
      'command-line tool',
      'real-time chat service',
      'URL shortener',
      'blog engine',
    ],
    tags: ['programming', 'software', 'web-development', 'backend', 'frontend', 'devops', 'open-source'],
    weight: 5,
  },
  {
    name: 'Data Science',
    field: 'data science and analytics',
    roles: ['Senior data scientist', 'Machine learning engineer', 'Analytics lead', 'Research scientist'],
    topics: [
      'Machine Learning',
      'Statistics',
      'Pandas',
      'Data Visualization',
      'Deep Learning',
      'SQL Analytics',
      'Time Series Forecasting',
      'Natural Language Processing',
      'A/B Testing',
      'Data Engineering',
    ],
    subtopics: [
      'Data Cleaning',
      'Exploratory Analysis',
      'Feature Engineering',
      'Model Evaluation',
      'Visualization',
      'Pipelines',
      'Probability',
      'Regression',
      'Classification',
      'Experiment Design',
    ],
    audiences: [
      'for Analysts',
      'for Product Managers',
      'for Researchers',
      'for Software Engineers',
      'for Marketers',
    ],
    projects: ['churn prediction model', 'sales dashboard', 'recommendation engine', 'sentiment classifier'],
    tags: ['data-science', 'machine-learning', 'analytics', 'statistics', 'python', 'ai'],
    weight: 4,
  },
  {
    name: 'Design',
    field: 'product and visual design',
    roles: ['Principal product designer', 'UX researcher', 'Design systems lead', 'Art director'],
    topics: [
      'UX Research',
      'Figma',
      'Typography',
      'Color Theory',
      'Design Systems',
      'Interaction Design',
      'Illustration',
      'Motion Design',
      'Product Design',
    ],
    subtopics: [
      'User Research',
      'Wireframes',
      'Prototyping',
      'Visual Hierarchy',
      'Usability Testing',
      'Handoff',
      'Components',
      'Layout and Grids',
      'Accessibility',
    ],
    audiences: ['for Developers', 'for Marketers', 'for Product Teams', 'for Founders'],
    projects: ['mobile app redesign', 'design system starter kit', 'landing page', 'brand style guide'],
    tags: ['design', 'ux', 'ui', 'figma', 'creativity', 'product'],
    weight: 3,
  },
  {
    name: 'Business',
    field: 'product, operations and leadership',
    roles: ['Head of product', 'Management consultant', 'Startup founder', 'Finance director'],
    topics: [
      'Product Management',
      'Project Management',
      'Financial Modeling',
      'Negotiation',
      'Marketing Analytics',
      'Leadership',
      'Startup Fundraising',
      'Public Speaking',
      'Sales Strategy',
    ],
    subtopics: [
      'Strategy',
      'Metrics',
      'Stakeholders',
      'Planning',
      'Communication',
      'Case Studies',
      'Budgeting',
      'Prioritization',
      'Hiring',
    ],
    audiences: [
      'for Founders',
      'for New Managers',
      'for Engineers',
      'for Freelancers',
      'for Small Businesses',
    ],
    projects: ['go-to-market plan', 'three-statement financial model', 'quarterly roadmap', 'pitch deck'],
    tags: ['business', 'management', 'leadership', 'marketing', 'finance', 'career'],
    weight: 3,
  },
  {
    name: 'Languages',
    field: 'language teaching',
    roles: ['Certified language teacher', 'Interpreter', 'Linguist', 'Language coach'],
    topics: [
      'Spanish',
      'French',
      'German',
      'Japanese',
      'Italian',
      'Mandarin Chinese',
      'Business English',
      'Portuguese',
    ],
    subtopics: [
      'Greetings and Introductions',
      'Everyday Conversations',
      'Grammar Essentials',
      'Travel and Directions',
      'Food and Dining',
      'Work and Business',
      'Listening Practice',
      'Pronunciation',
    ],
    audiences: ['for Travelers', 'for Business', 'for Busy Professionals', 'for Heritage Speakers'],
    projects: [
      'five-minute self-introduction',
      'travel diary',
      'recorded conversation',
      'short presentation',
    ],
    tags: ['languages', 'conversation', 'grammar', 'vocabulary', 'travel'],
    weight: 2,
  },
  {
    name: 'Music',
    field: 'music performance and production',
    roles: ['Session musician', 'Music producer', 'Composer', 'Conservatory teacher'],
    topics: [
      'Music Theory',
      'Guitar',
      'Piano',
      'Songwriting',
      'Music Production',
      'Mixing and Mastering',
      'Jazz Improvisation',
      'Ear Training',
    ],
    subtopics: [
      'Rhythm',
      'Scales',
      'Chords',
      'Technique',
      'Practice Routines',
      'Performance',
      'Recording',
      'Arrangement',
    ],
    audiences: ['for Adults', 'for Self-Taught Musicians', 'for Producers', 'for Singers'],
    projects: ['original song', 'cover recording', 'four-track demo', 'solo arrangement'],
    tags: ['music', 'theory', 'instruments', 'production', 'creativity'],
    weight: 2,
  },
  {
    name: 'Photography',
    field: 'photography and video',
    roles: ['Documentary photographer', 'Video editor', 'Cinematographer', 'Photo editor'],
    topics: [
      'Portrait Photography',
      'Lightroom',
      'Video Editing',
      'Street Photography',
      'Smartphone Photography',
    ],
    subtopics: [
      'Composition',
      'Light',
      'Exposure',
      'Editing Workflow',
      'Color Grading',
      'Storytelling',
      'Gear',
    ],
    audiences: ['for Beginners with Any Camera', 'for Content Creators', 'for Travelers'],
    projects: ['photo essay', 'short documentary', 'portfolio website', 'edited travel reel'],
    tags: ['photography', 'video', 'editing', 'creativity', 'content-creation'],
    weight: 1,
  },
  {
    name: 'Personal Development',
    field: 'coaching and writing',
    roles: ['Executive coach', 'Author', 'Productivity consultant', 'Learning designer'],
    topics: ['Time Management', 'Clear Writing', 'Critical Thinking', 'Personal Finance', 'Habit Building'],
    subtopics: ['Goals', 'Focus', 'Routines', 'Reflection', 'Planning', 'Feedback', 'Decision Making'],
    audiences: ['for Students', 'for Remote Workers', 'for Parents', 'for Busy Professionals'],
    projects: ['weekly planning system', 'personal budget', 'long-form essay', '30-day habit tracker'],
    tags: ['productivity', 'self-improvement', 'writing', 'career', 'wellbeing'],
    weight: 1,
  },
];

const CATEGORY_WEIGHTS = CATEGORIES.map((category) => [category, category.weight] as const);

export type DemoDifficulty = 'beginner' | 'intermediate' | 'advanced';

const TITLE_TEMPLATES: Record<DemoDifficulty, readonly string[]> = {
  beginner: [
    'Introduction to {t}',
    '{t} Fundamentals',
    'Getting Started with {t}',
    '{t} from Scratch',
    'Learn {t} in 30 Days',
    'First Steps in {t}',
  ],
  intermediate: [
    'Practical {t}',
    'Hands-On {t}',
    '{t} in Practice',
    'Applied {t}',
    '{t}: Beyond the Basics',
    'The Complete {t} Course',
  ],
  advanced: [
    'Advanced {t}',
    'Mastering {t}',
    '{t} Deep Dive',
    '{t} Masterclass',
    'Expert {t} Techniques',
    'Professional {t}',
  ],
};

const SUBTITLE_TEMPLATES = [
  'Learn {t} by building a {p}, step by step',
  'A project-based course: from first principles to a finished {p}',
  'Short lessons, real exercises, and a {p} you can show off',
  'Everything you need to use {t} with confidence at work',
  'The {level} guide to {t}, with quizzes and hands-on assignments',
] as const;

const DESCRIPTION_OPENERS = [
  'This course teaches {t} the way it is used on real teams.',
  'Whether you are new to {t} or want to fill in the gaps, this course gives you a structured path.',
  '{t} is one of the most useful skills you can add this year, and this course makes it approachable.',
  'Stop collecting tutorials: this course takes you through {t} in a deliberate order.',
] as const;

const DESCRIPTION_MIDDLES = [
  'Each module pairs short videos with readings and a practical exercise.',
  'You will work through {s} and {s2}, checking your understanding with quizzes along the way.',
  'Along the way you build a {p}, one small, reviewable step at a time.',
  'Lessons are short enough for a lunch break and add up to a complete, coherent skill set.',
  'Every concept is introduced with a concrete example before the theory.',
] as const;

const DESCRIPTION_CLOSERS = [
  'By the end you will be able to apply {t} to your own projects without a tutorial open.',
  'Finish the course with a {p} in your portfolio and a certificate of completion.',
  'It assumes {prereq}; everything else is explained as you go.',
  'Join thousands of learners and get feedback from the instructor in the discussion forum.',
] as const;

const PREREQUISITES: Record<DemoDifficulty, string> = {
  beginner: 'no prior experience',
  intermediate: 'you know the basics',
  advanced: 'solid working experience',
};

/** Public sample videos (Google's test bucket), so the demo front end can actually play something. */
const SAMPLE_VIDEOS = [
  'https://commondatastorage.googleapis.com/gtv-videos-bucket/sample/BigBuckBunny.mp4',
  'https://commondatastorage.googleapis.com/gtv-videos-bucket/sample/ElephantsDream.mp4',
  'https://commondatastorage.googleapis.com/gtv-videos-bucket/sample/ForBiggerBlazes.mp4',
  'https://commondatastorage.googleapis.com/gtv-videos-bucket/sample/ForBiggerEscapes.mp4',
  'https://commondatastorage.googleapis.com/gtv-videos-bucket/sample/Sintel.mp4',
  'https://commondatastorage.googleapis.com/gtv-videos-bucket/sample/TearsOfSteel.mp4',
] as const;

/** Prices in minor units (9.99 – 199.99); 0 = free. */
const PRICES = [
  999, 1499, 1999, 2499, 2999, 3499, 3999, 4999, 5999, 7999, 9999, 12999, 14999, 19999,
] as const;
const CURRENCIES = [
  ['USD', 7],
  ['EUR', 2],
  ['GBP', 1],
] as const;

// ---------------------------------------------------------------------------------------------
// Courses

export type DemoLessonType = 'video' | 'text' | 'quiz' | 'assignment' | 'live_session' | 'download';

export interface QuestionDraft {
  type: 'multiple_choice' | 'multiple_select' | 'true_false';
  difficulty: 'easy' | 'medium' | 'hard';
  prompt: string;
  options: { id: string; text: string }[];
  /** Option id (multiple_choice), option ids (multiple_select), or a boolean (true_false). */
  correctAnswer: string | string[] | boolean;
  explanation: string;
  points: number;
}

export interface QuizDraft {
  title: string;
  description: string;
  type: 'practice' | 'graded';
  timeLimitMinutes: number | null;
  maxAttempts: number | null;
  passingScore: number;
  shuffleQuestions: boolean;
  showCorrectAnswers: boolean;
  questions: QuestionDraft[];
}

export interface AssignmentDraft {
  title: string;
  instructions: string;
  /** Days after the seed runs; null = no due date (self-paced). */
  dueInDays: number | null;
  maxPoints: number;
  allowLate: boolean;
  latePenaltyPercent: number;
  maxAttempts: number | null;
  allowedFileTypes: string[];
}

/**
 * `content` follows the courses module's per-type shapes (src/modules/courses/lesson-content.ts):
 * video `{ transcript? }`, text `{ body }`, live_session `{ startsAt, joinUrl }`, download `{ files }`.
 * Quiz and assignment lessons point at a quiz / assignment row (`{ quizId }` / `{ assignmentId }`),
 * which the seeder creates from `quiz` / `assignment` and fills in.
 */
export interface LessonDraft {
  title: string;
  type: DemoLessonType;
  content: Record<string, unknown>;
  videoUrl: string | null;
  durationSeconds: number;
  quiz?: QuizDraft;
  assignment?: AssignmentDraft;
}

export interface ModuleDraft {
  title: string;
  description: string;
  lessons: LessonDraft[];
}

export interface CourseDraft {
  title: string;
  subtitle: string;
  description: string;
  /** Lower-case catalog key ("data-science"), matched exactly by the catalog's `?category=` filter. */
  category: string;
  tags: string[];
  difficulty: DemoDifficulty;
  priceCents: number;
  currency: string;
  language: string;
  modules: ModuleDraft[];
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? '');
}

function courseTitle(rng: Random, topic: string, difficulty: DemoDifficulty, category: Category): string {
  const base = fill(rng.pick(TITLE_TEMPLATES[difficulty]), { t: topic });
  // Half the titles name an audience: "Practical TypeScript for Data Engineers".
  if (base.includes(':') || !rng.chance(0.5)) return base;
  return `${base} ${rng.pick(category.audiences)}`;
}

function lessonTitle(rng: Random, type: DemoLessonType, subtopic: string, topic: string): string {
  switch (type) {
    case 'video':
      return fill(
        rng.pick([
          'Understanding {s}',
          '{s} Explained',
          'A Tour of {s}',
          '{s}: A Worked Example',
          'Common Mistakes with {s}',
          '{s} in {t}',
          'Why {s} Matters',
        ]),
        { s: subtopic, t: topic },
      );
    case 'text':
      return fill(rng.pick(['Reading: {s} Cheat Sheet', 'Notes on {s}', '{s} Reference', 'Key Ideas: {s}']), {
        s: subtopic,
      });
    case 'quiz':
      return fill(rng.pick(['Quiz: {s}', 'Check Your Understanding: {s}', 'Practice Questions: {s}']), {
        s: subtopic,
      });
    case 'assignment':
      return fill(rng.pick(['Exercise: Apply {s}', 'Assignment: {s} in Your Project', 'Hands-On Lab: {s}']), {
        s: subtopic,
      });
    case 'live_session':
      return fill(rng.pick(['Live Q&A: {s}', 'Office Hours: {s}', 'Live Workshop: {s}']), { s: subtopic });
    case 'download':
      return fill(rng.pick(['Resources: {s} Workbook', 'Download: {s} Templates', 'Slides and Code: {s}']), {
        s: subtopic,
      });
  }
}

/** Question templates: `{s}` is the module's subtopic. The first option listed is the right one. */
const CHOICE_QUESTIONS = [
  {
    prompt: 'What is the best first step when you start working on {s}?',
    options: [
      'Build the smallest example that works',
      'Rewrite everything from scratch',
      'Skip testing until the end',
      'Copy a finished solution without reading it',
    ],
    explanation: 'Small, working examples give fast feedback and something concrete to improve.',
  },
  {
    prompt: 'Why does this module practise {s} on your own project?',
    options: [
      'Applying an idea to real work is what makes it stick',
      'Because the quiz requires it',
      'Projects are only for advanced learners',
      'It is faster than reading the lesson',
    ],
    explanation: 'Transfer to your own context is the strongest predictor of remembering a skill.',
  },
  {
    prompt: 'You are stuck on a problem with {s}. What should you try first?',
    options: [
      'Reduce it to a smaller case and check each step',
      'Change several things at once and hope',
      'Give up on the module',
      'Wait for the problem to go away',
    ],
    explanation: 'Shrinking the problem isolates the step that goes wrong.',
  },
] as const;

const TRUE_FALSE_QUESTIONS = [
  { prompt: 'True or false: {s} only matters on large projects.', answer: false },
  { prompt: 'True or false: reviewing your work against a checklist helps with {s}.', answer: true },
  { prompt: 'True or false: the examples in this module can be reused in your own project.', answer: true },
  {
    prompt: 'True or false: once you have watched the videos, practising {s} is unnecessary.',
    answer: false,
  },
] as const;

const SELECT_QUESTIONS = [
  {
    prompt: 'Which of these are good habits when working on {s}? (Select all that apply.)',
    correct: ['Taking notes on what you tried', 'Asking for feedback early'],
    wrong: ['Never revisiting old work', 'Avoiding small experiments'],
    explanation: 'Notes and early feedback both shorten the loop between trying and learning.',
  },
  {
    prompt: 'Which of these help you remember {s} a month from now? (Select all that apply.)',
    correct: ['Spaced practice', 'Explaining it to someone else'],
    wrong: ['Reading the lesson once, quickly', 'Highlighting every sentence'],
    explanation: 'Retrieval and spacing beat re-reading for long-term memory.',
  },
] as const;

const OPTION_IDS = ['a', 'b', 'c', 'd', 'e', 'f'] as const;

function labelled(texts: readonly string[]): { id: string; text: string }[] {
  return texts.map((text, i) => ({ id: OPTION_IDS[i] ?? String(i), text }));
}

function generateQuestion(rng: Random, subtopic: string): QuestionDraft {
  const s = subtopic.toLowerCase();
  const difficulty = rng.weighted([
    ['easy', 4],
    ['medium', 4],
    ['hard', 2],
  ] as const);
  const kind = rng.weighted([
    ['multiple_choice', 5],
    ['true_false', 3],
    ['multiple_select', 2],
  ] as const);
  if (kind === 'true_false') {
    const question = rng.pick(TRUE_FALSE_QUESTIONS);
    return {
      type: 'true_false',
      difficulty,
      prompt: fill(question.prompt, { s }),
      options: [
        { id: 'true', text: 'True' },
        { id: 'false', text: 'False' },
      ],
      correctAnswer: question.answer,
      explanation: question.answer
        ? 'This is true: see the module summary.'
        : 'This is false: see the module summary.',
      points: 1,
    };
  }
  if (kind === 'multiple_select') {
    const question = rng.pick(SELECT_QUESTIONS);
    const texts = rng.shuffle([...question.correct, ...question.wrong]);
    const options = labelled(texts);
    return {
      type: 'multiple_select',
      difficulty,
      prompt: fill(question.prompt, { s }),
      options,
      correctAnswer: options
        .filter((option) => (question.correct as readonly string[]).includes(option.text))
        .map((option) => option.id),
      explanation: question.explanation,
      points: 2,
    };
  }
  const question = rng.pick(CHOICE_QUESTIONS);
  const right = question.options[0];
  const options = labelled(rng.shuffle(question.options));
  return {
    type: 'multiple_choice',
    difficulty,
    prompt: fill(question.prompt, { s }),
    options,
    correctAnswer: options.find((option) => option.text === right)?.id ?? 'a',
    explanation: question.explanation,
    points: 1,
  };
}

function lessonBody(
  rng: Random,
  type: DemoLessonType,
  title: string,
  subtopic: string,
  topic: string,
  project: string,
  nowMs: number,
): Omit<LessonDraft, 'title' | 'type'> {
  const s = subtopic.toLowerCase();
  switch (type) {
    case 'video': {
      const durationSeconds = rng.int(180, 1500);
      return {
        content: rng.chance(0.6)
          ? {
              transcript: `Welcome back. In this video we look at ${s} in ${topic}. We start with a short overview, then work through a demonstration step by step, and finish with a recap of the three ideas to remember before the next lesson.`,
            }
          : {},
        videoUrl: rng.pick(SAMPLE_VIDEOS),
        durationSeconds,
      };
    }
    case 'text':
      return {
        content: {
          body: `# ${title}\n\n${subtopic} is where many ${topic} learners get stuck, so this page collects the essentials in one place.\n\n## Key points\n\n- Start with the simplest version that works, then refine it.\n- Name things after what they mean, not how they are built.\n- Check your work against a small, concrete example.\n\n## Try it\n\nApply one of these ideas to your ${project} before moving on.`,
        },
        videoUrl: null,
        durationSeconds: rng.int(4, 15) * 60,
      };
    case 'quiz': {
      const questions = Array.from({ length: rng.int(3, 8) }, () => generateQuestion(rng, subtopic));
      const graded = rng.chance(0.6);
      return {
        content: {},
        videoUrl: null,
        durationSeconds: questions.length * 90,
        quiz: {
          title,
          description: `${questions.length} questions on ${s}. ${graded ? 'Counts towards your course grade.' : 'Practice only: retake it as often as you like.'}`,
          type: graded ? 'graded' : 'practice',
          timeLimitMinutes: graded && rng.chance(0.5) ? questions.length * 2 : null,
          maxAttempts: graded ? rng.pick([1, 2, 3, null]) : null,
          passingScore: rng.pick([60, 70, 75, 80]),
          shuffleQuestions: rng.chance(0.5),
          showCorrectAnswers: !graded || rng.chance(0.5),
          questions,
        },
      };
    }
    case 'assignment': {
      const maxPoints = rng.pick([10, 20, 50, 100]);
      return {
        content: {},
        videoUrl: null,
        durationSeconds: rng.int(30, 120) * 60,
        assignment: {
          title,
          instructions: `Apply what you learned about ${s} to your ${project}. Submit a short write-up (about one page) explaining what you changed and why, plus your files where relevant. You are graded on correctness, clarity and use of the techniques from this module (${maxPoints} points).`,
          dueInDays: rng.chance(0.4) ? rng.int(7, 60) : null,
          maxPoints,
          allowLate: rng.chance(0.5),
          latePenaltyPercent: rng.pick([0, 10, 20]),
          maxAttempts: rng.pick([1, 2, 3, null]),
          allowedFileTypes: rng.pick([['pdf'], ['pdf', 'zip'], ['pdf', 'md', 'txt'], []]),
        },
      };
    }
    case 'live_session': {
      const startsAt = nowMs + rng.int(-30, 45) * 86_400_000 + rng.int(14, 19) * 3_600_000;
      return {
        content: {
          startsAt: new Date(Math.floor(startsAt / 3_600_000) * 3_600_000).toISOString(),
          joinUrl: `https://meet.example.com/${slugify(title, 60)}-${rng.int(1000, 9999)}`,
        },
        videoUrl: null,
        durationSeconds: rng.pick([45, 60, 90]) * 60,
      };
    }
    case 'download': {
      const base = slugify(subtopic, 60);
      const file = (name: string, min: number, max: number) => ({
        name,
        url: `https://files.example.com/demo/${name}`,
        sizeBytes: rng.int(min, max),
      });
      return {
        content: {
          files: [
            file(`${base}-workbook.pdf`, 80_000, 4_000_000),
            ...(rng.chance(0.5) ? [file(`${base}-starter.zip`, 10_000, 900_000)] : []),
          ],
        },
        videoUrl: null,
        durationSeconds: 0,
      };
    }
  }
}

const MIDDLE_LESSON_TYPES = [
  ['video', 55],
  ['text', 25],
  ['download', 8],
  ['assignment', 7],
  ['live_session', 5],
] as const;

function moduleTitle(
  rng: Random,
  index: number,
  count: number,
  subtopic: string,
  topic: string,
  project: string,
) {
  if (index === 0) return rng.pick(['Getting Started', 'Welcome and Setup', `${topic} Essentials`]);
  if (index === count - 1)
    return rng.pick(['Final Project', `Capstone: Your ${capitalize(project)}`, 'Next Steps']);
  return fill(
    rng.pick(['{s}', 'Working with {s}', '{s} in Depth', 'Core Concepts: {s}', 'Putting {s} to Work']),
    {
      s: subtopic,
    },
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A complete course outline: 3–6 modules of 3–6 lessons each. */
export function generateCourse(rng: Random, nowMs: number): CourseDraft {
  const category = rng.weighted(CATEGORY_WEIGHTS);
  const topic = rng.pick(category.topics);
  const difficulty = rng.weighted<DemoDifficulty>([
    ['beginner', 45],
    ['intermediate', 35],
    ['advanced', 20],
  ]);
  const title = courseTitle(rng, topic, difficulty, category);
  const project = rng.pick(category.projects);
  const subtopics = rng.shuffle(category.subtopics);
  const values = {
    t: topic,
    p: project,
    level: difficulty,
    s: (subtopics[0] ?? 'the basics').toLowerCase(),
    s2: (subtopics[1] ?? 'common patterns').toLowerCase(),
    prereq: PREREQUISITES[difficulty],
  };
  const description = [
    fill(rng.pick(DESCRIPTION_OPENERS), values),
    ...rng.sample(DESCRIPTION_MIDDLES, rng.int(1, 2)).map((sentence) => fill(sentence, values)),
    fill(rng.pick(DESCRIPTION_CLOSERS), values),
  ].join(' ');

  const moduleCount = rng.int(3, 6);
  const modules: ModuleDraft[] = [];
  for (let m = 0; m < moduleCount; m++) {
    const subtopic = subtopics[m % subtopics.length] ?? topic;
    const lessonCount = rng.int(3, 6);
    const lessons: LessonDraft[] = [];
    for (let l = 0; l < lessonCount; l++) {
      let type: DemoLessonType;
      if (l === 0) type = 'video';
      else if (l === lessonCount - 1)
        type = rng.weighted([
          ['quiz', 5],
          ['assignment', 3],
          ['video', 2],
        ] as const);
      else type = rng.weighted(MIDDLE_LESSON_TYPES);
      const lessonName = lessonTitle(rng, type, subtopic, topic);
      lessons.push({
        title: lessonName,
        type,
        ...lessonBody(rng, type, lessonName, subtopic, topic, project, nowMs),
      });
    }
    modules.push({
      title: moduleTitle(rng, m, moduleCount, subtopic, topic, project),
      description: `${capitalize(subtopic.toLowerCase())} for ${topic}: ${lessonCount} lessons with practice at the end.`,
      lessons,
    });
  }

  const free = rng.chance(0.25);
  return {
    title,
    subtitle: fill(rng.pick(SUBTITLE_TEMPLATES), values),
    description,
    category: slugify(category.name),
    tags: [slugify(topic, 40), ...rng.sample(category.tags, rng.int(1, 3))].filter(
      (tag, index, all) => all.indexOf(tag) === index,
    ),
    difficulty,
    priceCents: free ? 0 : rng.pick(PRICES),
    currency: rng.weighted(CURRENCIES),
    language: 'en',
    modules,
  };
}
