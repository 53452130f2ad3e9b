// The part of sax's API that xml-tree.ts uses (sax ships no type declarations).
declare module 'sax' {
  interface SAXParser {
    onopentag: (tag: never) => void;
    onclosetag: (name: string) => void;
    ontext: (text: string) => void;
    oncdata: (text: string) => void;
    onerror: (error: Error) => void;
    error: Error | null;
    resume(): SAXParser;
    write(chunk: string): SAXParser;
    close(): SAXParser;
  }
  const sax: { parser(strict: boolean, options?: { xmlns?: boolean }): SAXParser };
  export default sax;
}
