"""Words for generated data (`sampledata.generate`): names with realistic frequencies,
pieces, notes.

Surnames: the most common US surnames weighted roughly by the census, plus a long tail of
compound English surnames, so a search for "Smith" finds about one customer in a hundred
and a search for "Ashworth" a handful, as in a real store.
"""

# name:weight (weights are relative within the list).
_COMMON_LAST = """
Smith:83 Johnson:66 Williams:55 Brown:49 Jones:48 Garcia:40 Miller:38 Davis:37
Rodriguez:36 Martinez:35 Hernandez:35 Lopez:30 Gonzalez:29 Wilson:27 Anderson:26 Thomas:25
Taylor:25 Moore:24 Jackson:23 Martin:23 Lee:23 Perez:23 Thompson:22 White:22 Harris:21
Sanchez:20 Clark:19 Ramirez:19 Lewis:18 Robinson:18 Walker:17 Young:16 Allen:16 King:16
Wright:16 Scott:15 Torres:15 Nguyen:15 Hill:15 Flores:15 Green:15 Adams:15 Nelson:14
Baker:14 Hall:14 Rivera:14 Campbell:13 Mitchell:13 Carter:13 Roberts:13 Gomez:12
Phillips:12 Evans:12 Turner:12 Diaz:12 Parker:11 Cruz:11 Edwards:11 Collins:11 Reyes:11
Stewart:11 Morris:11 Morales:11 Murphy:11 Cook:11 Rogers:10 Gutierrez:10 Ortiz:10
Morgan:10 Cooper:10 Peterson:10 Bailey:10 Reed:10 Kelly:10 Howard:9 Ramos:9 Kim:9 Cox:9
Ward:9 Richardson:9 Watson:9 Brooks:9 Chavez:9 Wood:9 James:9 Bennett:9 Gray:9 Mendoza:9
Ruiz:9 Hughes:8 Price:8 Alvarez:8 Castillo:8 Sanders:8 Patel:8 Myers:8 Long:8 Ross:8
Foster:8 Jimenez:8 Powell:8 Jenkins:8 Perry:8 Russell:7 Sullivan:7 Bell:7 Coleman:7
Butler:7 Henderson:7 Barnes:7 Gonzales:7 Fisher:7 Vasquez:7 Simmons:7 Romero:7 Jordan:7
Patterson:7 Alexander:7 Hamilton:7 Graham:7 Reynolds:7 Griffin:6 Wallace:6 Moreno:6 West:6
Cole:6 Hayes:6 Bryant:6 Herrera:6 Gibson:6 Ellis:6 Tran:6 Medina:6 Aguilar:6 Stevens:6
Murray:6 Ford:6 Castro:6 Marshall:6 Owens:6 Harrison:6 Fernandez:6 McDonald:6 Woods:6
Washington:6 Kennedy:6 Wells:5 Vargas:5 Henry:5 Chen:5 Freeman:5 Webb:5 Tucker:5 Guzman:5
Burns:5 Crawford:5 Olson:5 Simpson:5 Porter:5 Hunter:5 Gordon:5 Mendez:5 Silva:5 Shaw:5
Snyder:5 Mason:5 Dixon:5 Munoz:5 Hunt:5 Hicks:5 Holmes:5 Palmer:5 Wagner:5 Black:5
Robertson:5 Boyd:5 Rose:5 Stone:5 Salazar:5 Fox:5 Warren:5 Mills:5 Meyer:5 Rice:5
Schmidt:5 Garza:5 Daniels:5 Ferguson:5 Nichols:5 Stephens:5 Soto:5 Weaver:5 Ryan:5
Gardner:5 Payne:5 Grant:5 Dunn:5 Kelley:5 Spencer:5 Hawkins:5 Arnold:5 Pierce:5 Vazquez:5
Hansen:5 Peters:5 Santos:5 Hart:4 Bradley:4 Knight:4 Elliott:4 Cunningham:4 Duncan:4
Armstrong:4 Hudson:4 Carroll:4 Lane:4 Riley:4 Andrews:4 Alvarado:4 Ray:4 Delgado:4
Berry:4 Perkins:4 Hoffman:4 Johnston:4 Matthews:4 Pena:4 Richards:4 Contreras:4 Willis:4
Carpenter:4 Lawrence:4 Sandoval:4 Guerrero:4 George:4 Chapman:4 Rios:4 Estrada:4 Ortega:4
Watkins:4 Greene:4 Nunez:4 Wheeler:4 Valdez:4 Harper:4 Burke:4 Larson:4 Santiago:4
Maldonado:4 Morrison:4 Franklin:4 Carlson:4 Austin:4 Dominguez:4 Carr:4 Lawson:4
Jacobs:4 OBrien:4 Lynch:4 Singh:4 Vega:4 Bishop:4 Montgomery:4 Oliver:4 Jensen:4
Harvey:4 Williamson:4 Gilbert:4 Dean:4 Sims:4 Espinoza:4 Howell:4 Li:4 Wong:4 Reid:4
Hanson:4 Le:4 McCoy:4 Garrett:4 Burton:4 Fuller:4 Wang:4 Weber:4 Welch:4 Rojas:4 Lucas:4
Marquez:4 Fields:4 Park:4 Yang:4 Little:4 Banks:4 Padilla:4 Day:4 Walsh:4 Bowman:4
Schultz:4 Luna:4 Fowler:4 Mejia:4 Davidson:4 Acosta:4 Brewer:4 May:4 Holland:4 Juarez:4
Newman:4 Pearson:4 Curtis:4 Cortez:4 Douglas:4 Schneider:4 Joseph:4 Barrett:4 Navarro:4
Figueroa:4 Keller:4 Avila:4 Wade:4 Molina:4 Stanley:4 Hopkins:4 Campos:4 Barnett:4
Bates:4 Chambers:4 Caldwell:4 Beck:4 Lambert:4 Miranda:4 Byrd:4 Craig:4 Ayala:4 Lowe:4
Frazier:4 Powers:4 Neal:4 Leonard:4 Gregory:4 Carrillo:4 Sutton:4 Fleming:4 Rhodes:4
Shelton:4 Schwartz:4 Norris:4 Jennings:4 Watts:4 Duran:4 Walters:4 Cohen:4 McDaniel:4
Moran:4 Parks:4 Steele:4 Vaughn:4 Becker:4 Holt:4 DeLeon:4 Barker:4 Terry:4 Hale:4
"""
# The long tail: Ashford, Brookfield, Whitmore... each rare, together about half the store.
_TAIL_FRONTS = """Ash Black Brad Bram Brook Cal Clay Cole Crans Dal Dun Ells Fair Glad Hal Hath Hol
Kings Lang Lind Marsh Mill Nor Oak Pem Red Rut Stan Stock Thorn Wake Wes Whit Win Cul Ather
Bex Chil Dray"""
_TAIL_ENDS = "ford field ley ton wood worth more by well ham brook dale ridge stead"
TAIL_SHARE = 0.45

_FIRST = """
Mary:30 Patricia:18 Jennifer:25 Linda:17 Elizabeth:20 Barbara:14 Susan:14 Jessica:16
Sarah:18 Karen:12 Lisa:12 Nancy:10 Betty:6 Sandra:10 Margaret:10 Ashley:14 Kimberly:12
Emily:14 Donna:8 Michelle:12 Carol:8 Amanda:12 Melissa:11 Deborah:8 Stephanie:11
Rebecca:10 Sharon:7 Laura:10 Cynthia:7 Amy:9 Kathleen:7 Angela:9 Anna:9 Olivia:12 Emma:12
Ava:9 Sophia:11 Isabella:9 Mia:8 Charlotte:8 Amelia:7 Harper:5 Evelyn:6 Abigail:7 Grace:7
Chloe:6 Nora:5 Ruth:5 Julia:6 Rachel:8 Megan:7 Hannah:7 Natalie:6 Samantha:8 Victoria:6
Lauren:7 Maria:12 Rosa:5 Ana:6 Lucia:4 Priya:3 Mei:3 Aisha:3 Fatima:3 Yuki:2
James:32 Robert:30 John:30 Michael:30 David:26 William:24 Richard:20 Joseph:20 Thomas:18
Christopher:18 Charles:16 Daniel:18 Matthew:17 Anthony:14 Mark:13 Donald:8 Steven:12
Paul:11 Andrew:12 Joshua:12 Kenneth:8 Kevin:10 Brian:10 George:8 Timothy:8 Ronald:7
Jason:9 Edward:7 Jeffrey:7 Ryan:9 Jacob:9 Gary:6 Nicholas:8 Eric:8 Jonathan:8 Stephen:7
Larry:5 Justin:7 Scott:7 Brandon:7 Benjamin:8 Samuel:7 Gregory:6 Alexander:8 Patrick:6
Frank:6 Raymond:5 Jack:6 Dennis:5 Jerry:5 Tyler:6 Aaron:6 Jose:8 Adam:6 Nathan:6 Henry:6
Liam:8 Noah:8 Elijah:6 Lucas:6 Mason:5 Logan:5 Ethan:7 Aiden:5 Jackson:4 Carlos:6 Luis:6
Juan:7 Miguel:5 Wei:3 Raj:3 Omar:3 Hiroshi:2 Dmitri:2
"""

def _weighted(text: str) -> tuple[list[str], list[int]]:
    pairs = [item.split(":") for item in text.split()]
    return [name for name, _ in pairs], [int(weight) for _, weight in pairs]


COMMON_LAST, COMMON_LAST_WEIGHTS = _weighted(_COMMON_LAST)
TAIL_LAST = [front + end for front in _TAIL_FRONTS.split() for end in _TAIL_ENDS.split()]
FIRST, FIRST_WEIGHTS = _weighted(_FIRST)

STREETS = ["Main Street", "Oak Avenue", "Maple Drive", "Cedar Lane", "Elm Street",
           "Washington Avenue", "Park Road", "Lake Shore Drive", "Hillcrest Road", "Pine Court"]
CITIES = [("Springfield", "IL", "627"), ("Chicago", "IL", "606"), ("Naperville", "IL", "605"),
          ("Peoria", "IL", "616"), ("St. Louis", "MO", "631"), ("Indianapolis", "IN", "462"),
          ("Madison", "WI", "537"), ("Milwaukee", "WI", "532")]
# Real area codes of the region, so typed numbers normalise like a customer's would.
AREA_CODES = ["217", "312", "773", "630", "309", "314", "317", "608", "414", "847"]
PIECES = ["1 ct round solitaire, platinum", "Tahitian pearl strand", "Rose gold tennis bracelet",
          "Sapphire halo ring", "Steel chronograph", "Emerald drop earrings", "Sterling cuff",
          "Diamond stud earrings 0.5 ctw", "Oval engagement ring, yellow gold",
          "Men's titanium band", "Ruby pendant", "Gold hoop earrings", "Vintage cocktail ring",
          "Akoya pearl studs", "Diver's watch", "Eternity band, 2 ctw"]
WHY_NOT = ["Thinking it over", "Bringing their partner back", "Over budget", "Just browsing",
           "Waiting for the holidays", "Wants it in white gold"]
NOTES = ["Prefers texts in the evening", "Allergic to nickel: platinum or gold only",
         "Ring size 6.5", "Ring size 9", "Collects vintage pieces", "Partner's size is 7",
         "Likes to be called by first name", "Comes in every December"]
CALLS = ["Called about the anniversary", "Left a voicemail about the new bridal line",
         "Confirmed ring size", "Invited to the trunk show"]
REPAIR_WORK = [("ring", "Resize to 7", "Gold solitaire"),
               ("ring", "Re-tip prongs", "Platinum halo"),
               ("necklace", "Fix broken clasp", "Gold rope chain"),
               ("watch", "Battery and reseal", "Steel chronograph"),
               ("bracelet", "Replace safety chain", "Tennis bracelet"),
               ("earrings", "Replace posts", "Diamond studs"),
               ("necklace", "Restring with knots", "Pearl strand"),
               ("pendant", "Solder bail", "Cross pendant")]
