"""Reading a site: site.yml, topics.yml and the articles become a SiteConfig and a Content, or every problem.

Strict YAML reading keeps each value's line (yamlnodes), front matter and topics are parsed and checked
(content), links and images in bodies must lead somewhere (links, over what scan finds in the text), and
only files inside the project's input folders are read (inputs). Nothing here writes.
"""
