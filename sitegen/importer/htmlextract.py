"""placeholder"""
def extract_html(html, url, rules): raise NotImplementedError
