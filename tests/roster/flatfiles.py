"""Small flat CSV files that fit Demo High School (its periods, day types and rooms)."""

from __future__ import annotations

HEADER = (
    "student_number,first_name,last_name,grade,email,section,period,room,teacher_email,"
    "day_type,teacher_first_name,teacher_last_name,homeroom"
)

# Two demo students (adopted by number), one new student, a demo teacher and a new one; a new
# room. Lines: 2-6.
DEMO_FLAT = (
    "\n".join(
        (
            HEADER,
            "1001,Ada,Lovelace,9,,Algebra,1,Room 101,teacher1@demo.school,,Tess,One,",
            "1002,Alan,Turing,9,,Algebra,1,Room 101,teacher1@demo.school,,Tess,One,",
            "2001,Grace,Hopper,10,,Biology,3,Lab 3,teacher9@demo.school,,Nina,Nine,",
            "1002,Alan,Turing,9,,Biology,3,Lab 3,teacher9@demo.school,,Nina,Nine,",
            "2001,Grace,Hopper,10,,Biology,4,Lab 3,teacher9@demo.school,regular,Nina,Nine,",
        )
    )
    + "\n"
)

# Line 3 names a period the demo's bell schedule doesn't have; line 4 a day type it doesn't.
BAD_PERIODS = (
    "\n".join(
        (
            HEADER,
            "1001,Ada,Lovelace,9,,Algebra,1,Room 101,teacher1@demo.school,,Tess,One,",
            "2001,Grace,Hopper,10,,Biology,9,Lab 3,teacher9@demo.school,,Nina,Nine,",
            "2002,Edsger,Dijkstra,10,,Chemistry,2,Lab 4,teacher9@demo.school,B,Nina,Nine,",
        )
    )
    + "\n"
)
