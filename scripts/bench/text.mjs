/**
 * Seeded, varied chat text for the history benchmarks: user questions and assistant answers built
 * from a Zipf-distributed vocabulary (common words often, topic words rarely), with the markdown a
 * real assistant writes (lists, bold, inline code, fenced code blocks). Same seed, same text.
 */

/** mulberry32: a small, fast, seeded PRNG returning [0, 1). */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const functionWords = `the of and to a in is it that for you this with on be are as was have not but or at can by
from if your an so we they will do what there more which their one would all about when also just like how some
them has then than its other into only should could because any may these most very even our much those such each
both while where after before over many through here way well been being`.split(/\s+/);

const topicWords = `time people year day thing work life world school state family student group country problem
hand part place case week company system program question government number night point home water room mother area
money story fact month lot right study book eye job word business issue side kind head house service friend father
power hour game line end member law car city community name president team minute idea kid body information back
parent face others level office door health person art war history party result change morning reason research girl
guy moment air teacher force education recipe garden bread oven flour yeast dough butter sugar salt pepper garlic
onion tomato pasta sauce soup chicken rice bean cheese coffee tea breakfast dinner lunch kitchen knife pan skillet
temperature minutes bake roast simmer boil chop slice whisk travel flight train ticket hotel passport luggage museum
beach mountain river lake forest trail hike camping tent weather rain snow wind sunny cloudy forecast budget savings
invoice tax salary rent mortgage loan interest account bank payment receipt function variable array object string
number boolean loop condition class method module package import export compile runtime error exception stack trace
debug test database query index table column schema migration server client request response header cookie session
token cache memory thread process kernel driver network socket protocol latency bandwidth throughput benchmark
profile container image volume cluster node deploy release version branch commit merge rebase conflict review
python javascript typescript rust golang java kotlin swift svelte react vue electron sqlite postgres redis docker
kubernetes linux windows macos terminal shell script command argument option flag config environment path file
folder permission password encryption certificate signature algorithm sorting hashing recursion iteration closure
promise async await callback event listener handler component render layout style color font margin padding border
grid flexbox animation transition canvas pixel screen display keyboard mouse battery charger laptop phone tablet
printer camera lens photo video audio music song guitar piano violin concert album playlist podcast episode movie
film actor director novel chapter poem author library essay grammar vocabulary sentence paragraph translation
spanish french german japanese chinese italian portuguese language accent pronunciation lesson homework exam
biology chemistry physics astronomy planet galaxy star orbit gravity energy photon electron molecule protein cell
gene evolution climate carbon ocean glacier volcano earthquake fossil dinosaur mammal bird insect butterfly spider
dog cat horse rabbit hamster aquarium vet vaccine doctor nurse hospital symptom fever cough headache allergy
vitamin exercise workout running cycling swimming yoga stretch muscle sleep dream anxiety stress meditation habit
schedule calendar meeting deadline project manager colleague interview resume career promotion negotiation email
letter message notification reminder alarm clock birthday wedding holiday vacation gift party invitation anniversary
neighbor landlord apartment furniture couch table chair lamp curtain carpet paint wallpaper plumbing faucet leak
repair hammer screwdriver drill nail screw ladder bicycle tire engine brake gasoline electric charging insurance
license parking traffic highway bridge tunnel airport harbor lighthouse castle cathedral palace market bakery cafe
restaurant menu waiter tip reservation delivery grocery vegetable fruit apple banana orange lemon strawberry
blueberry avocado carrot potato spinach lettuce cucumber broccoli mushroom almond walnut chocolate vanilla
cinnamon ginger honey yogurt cream milk egg bacon sausage salmon tuna shrimp lobster oyster steak burger sandwich
pizza taco noodle dumpling curry salad dessert cookie cake pie muffin pancake waffle cereal oatmeal smoothie juice
wine beer cocktail whiskey vodka bottle glass cup mug plate bowl spoon fork napkin quantum relativity entropy
thermodynamics calculus algebra geometry statistics probability matrix vector tensor gradient derivative integral
theorem proof lemma hypothesis experiment observation measurement uncertainty regression classification clustering
embedding transformer attention tokenizer quantization inference training dataset validation overfitting dropout
optimizer learning neural network layer activation softmax perplexity prompt completion sampling temperature
llama mistral qwen gemma gguf weights context window prefill decode latency`.split(/\s+/);

/** Content words, most common first (the order above is roughly by frequency). */
export const vocabulary = [...new Set(topicWords)];

function zipfSampler(words, exponent, rand) {
  const weights = words.map((_, rank) => 1 / Math.pow(rank + 1, exponent));
  const cumulative = [];
  let total = 0;
  for (const weight of weights) cumulative.push((total += weight));
  return () => {
    const target = rand() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid] < target) low = mid + 1;
      else high = mid;
    }
    return words[low];
  };
}

const openers = ['How do I', 'Can you explain', 'What is the best way to', 'Why does my', 'Could you help me with', 'Is it possible to', 'I am trying to', 'Please write', 'Compare', 'Summarize'];
const codeLines = [
  'const result = items.filter((item) => item.active).map((item) => item.name);',
  'for (let i = 0; i < values.length; i++) total += values[i];',
  'def parse(line):\n    key, value = line.split("=", 1)\n    return key.strip(), value.strip()',
  'SELECT id, title FROM notes WHERE updated_at > ? ORDER BY updated_at DESC LIMIT 20;',
  'fn main() {\n    let numbers = vec![1, 2, 3];\n    println!("{:?}", numbers.iter().sum::<i32>());\n}',
  'docker run --rm -p 8080:8080 -v "$PWD/data:/data" app:latest',
  'git rebase -i HEAD~3',
  'export async function load(path) {\n  const text = await readFile(path, "utf8");\n  return JSON.parse(text);\n}'
];

export class TextGenerator {
  constructor(seed = 1) {
    this.rand = random(seed);
    this.topic = zipfSampler(vocabulary, 1.05, this.rand);
    this.filler = zipfSampler(functionWords, 0.9, this.rand);
  }

  int(min, max) {
    return min + Math.floor(this.rand() * (max - min + 1));
  }

  pick(list) {
    return list[Math.floor(this.rand() * list.length)];
  }

  sentence(min = 6, max = 22) {
    const length = this.int(min, max);
    const words = [];
    for (let i = 0; i < length; i++) words.push(this.rand() < 0.45 ? this.topic() : this.filler());
    const text = words.join(' ');
    return text[0].toUpperCase() + text.slice(1) + (this.rand() < 0.1 ? '!' : '.');
  }

  paragraph(sentences) {
    return Array.from({ length: sentences }, () => this.sentence()).join(' ');
  }

  userMessage() {
    const roll = this.rand();
    if (roll < 0.5) return `${this.pick(openers)} ${Array.from({ length: this.int(3, 12) }, () => (this.rand() < 0.6 ? this.topic() : this.filler())).join(' ')}?`;
    if (roll < 0.85) return this.paragraph(this.int(1, 3));
    return `${this.paragraph(this.int(1, 2))}\n\n\`\`\`\n${this.pick(codeLines)}\n\`\`\``;
  }

  assistantMessage() {
    const parts = [this.paragraph(this.int(2, 6))];
    const extras = this.int(0, 3);
    for (let i = 0; i < extras; i++) {
      const roll = this.rand();
      if (roll < 0.35) parts.push(Array.from({ length: this.int(2, 5) }, () => `- **${this.topic()}**: ${this.sentence(4, 12)}`).join('\n'));
      else if (roll < 0.55) parts.push(`\`\`\`${this.pick(['js', 'python', 'sql', 'bash', 'rust', ''])}\n${this.pick(codeLines)}\n\`\`\``);
      else if (roll < 0.7) parts.push(Array.from({ length: this.int(2, 4) }, (_, n) => `${n + 1}. ${this.sentence(4, 14)}`).join('\n'));
      else parts.push(this.paragraph(this.int(1, 3)).replace(/ (\w+) /, ' `$1` '));
    }
    return parts.join('\n\n');
  }

  /** `count` alternating user/assistant messages, oldest first, as an export's `messages`. */
  messages(count, startAt) {
    const messages = [];
    for (let i = 0; i < count; i++) {
      const role = i % 2 === 0 ? 'user' : 'assistant';
      const at = startAt + i * 1000;
      messages.push({ role, content: role === 'user' ? this.userMessage() : this.assistantMessage(), status: 'complete', createdAt: at, updatedAt: at });
    }
    return messages;
  }
}

/** A Hearth JSON export (`exportedConversationSchema`) with the given messages. */
export function exportedConversation(title, messages, at) {
  return {
    format: 'hearth.conversation',
    version: 1, // exportFormatVersion in src-main/api/shapes.ts
    conversation: { title, model: null, systemPrompt: '', createdAt: at, updatedAt: at },
    messages
  };
}
