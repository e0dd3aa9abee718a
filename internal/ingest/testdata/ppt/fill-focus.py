# fill.py fills the placeholders of LibreOffice's Focus template (content.xml) with a deck's text.
import re, sys
s = open('content.xml').read()
fill = {  # (page, class): paragraphs (ODF XML)
    (1, 'title'): '<text:p>Quarterly review</text:p>',
    (1, 'subtitle'): '<text:p>Revenue grew by 12 percent<text:line-break/>in every region</text:p>',
    (1, 'notes'): '<text:p>Speaker notes: mention the budget</text:p>',
    (2, 'title'): '<text:p>Next steps</text:p>',
    (2, 'outline'): '<text:list><text:list-item><text:p>Hire two engineers</text:p></text:list-item><text:list-item><text:p>Open the 東京 office</text:p></text:list-item></text:list>',
    (3, 'title'): '<text:p>Costs</text:p>',
    (3, 'outline'): '<text:p>Café costs fell</text:p><text:p>Travel costs rose</text:p>',
}
pages = s.split('<draw:page ')
for n in range(1, len(pages)):
    def sub(m):
        key = (n, m.group(2))
        if key not in fill:
            return m.group(0)
        return m.group(1).replace(' presentation:placeholder="true"', '') + '<draw:text-box>' + fill[key] + '</draw:text-box>'
    pages[n] = re.sub(r'(<draw:frame [^>]*presentation:class="(\w+)"[^>]*>)<draw:text-box/>', sub, pages[n])
open('content.xml', 'w').write('<draw:page '.join(pages))
